using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.TestSupport;

namespace Lookout.Core.Tests.Video;

/// <summary>
/// A real exported-layout classifier small enough to build in a test: image -> mean colour -> Gemm -> Softmax.
/// Labels: person (red dominates), cat (green dominates), background (neither). Logits are
/// 30*(r-(g+b)/2), 30*(g-(r+b)/2) and a constant 2, with r,g,b the frame's mean colour in 0..1.
/// </summary>
internal static class TinyClassifier
{
    public static readonly string[] Labels = ["person", "cat", "background"];
    public static readonly PreprocessSpec Spec = new() { Width = 32, Height = 32, Resize = ResizeMode.Stretch };

    /// <summary>Red is person, green is cat, anything else (grey) background. W rows are R, G, B.</summary>
    public static string Build(string path, bool calibrated = false)
    {
        var thresholds = calibrated
            ? MeanColourClassifier.Thresholds(Labels, [[0.9f, 0.12f, 0.12f], [0.12f, 0.9f, 0.12f], [0.5f, 0.5f, 0.5f]])
            : null;
        OnnxWriter.Save(MeanColourClassifier.Build(Labels, Spec, [30f, -15f, 0f, -15f, 30f, 0f, -15f, -15f, 0f], [0f, 0f, 2f], thresholds), path);
        return path;
    }
}

/// <summary>Generated scenes: a grey room, optionally with a coloured blob ("person" red, "cat" green).</summary>
internal static class Scenes
{
    public static readonly (byte R, byte G, byte B) Grey = (128, 128, 128);
    public static readonly (byte R, byte G, byte B) PersonRed = (230, 30, 30);
    public static readonly (byte R, byte G, byte B) CatGreen = (30, 230, 30);

    /// <summary>A grey frame with a blob covering the given fraction of each side, centred at (cx, cy) (0..1).</summary>
    public static RgbImage Frame(int width, int height, (byte R, byte G, byte B)? blob = null, double side = 0.6, double cx = 0.5, double cy = 0.5, int noiseSeed = -1)
    {
        var px = new byte[width * height * 3];
        var rng = noiseSeed >= 0 ? new Random(noiseSeed) : null;
        int bw = (int)(width * side), bh = (int)(height * side);
        int x0 = (int)(cx * width) - bw / 2, y0 = (int)(cy * height) - bh / 2;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool inBlob = blob is not null && x >= x0 && x < x0 + bw && y >= y0 && y < y0 + bh;
                var c = inBlob ? blob!.Value : Grey;
                int i = (y * width + x) * 3, n = rng is null ? 0 : rng.Next(-2, 3);
                px[i] = Clamp(c.R + n); px[i + 1] = Clamp(c.G + n); px[i + 2] = Clamp(c.B + n);
            }
        return new RgbImage(width, height, px);
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}


namespace Lookout.Core.Imaging.Augmentation;

/// <summary>Bilinear sampling of interleaved RGB bytes with edge clamping (no black borders after crops or tilts).</summary>
internal static class Sampler
{
    public static void Bilinear(RgbImage src, float x, float y, Span<byte> rgb)
    {
        x = Math.Clamp(x, 0, src.Width - 1);
        y = Math.Clamp(y, 0, src.Height - 1);
        int x0 = (int)x, y0 = (int)y;
        int x1 = Math.Min(x0 + 1, src.Width - 1), y1 = Math.Min(y0 + 1, src.Height - 1);
        float fx = x - x0, fy = y - y0;
        var p = src.Pixels;
        int a = (y0 * src.Width + x0) * 3, b = (y0 * src.Width + x1) * 3, c = (y1 * src.Width + x0) * 3, d = (y1 * src.Width + x1) * 3;
        for (int ch = 0; ch < 3; ch++)
        {
            float top = p[a + ch] + (p[b + ch] - p[a + ch]) * fx;
            float bottom = p[c + ch] + (p[d + ch] - p[c + ch]) * fx;
            rgb[ch] = ToByte(top + (bottom - top) * fy);
        }
    }

    public static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);

    /// <summary>Resamples the source rectangle (x, y, w, h) to an image of outW x outH (pixel-centre aligned).</summary>
    public static RgbImage CropResize(RgbImage src, float x, float y, float w, float h, int outW, int outH)
    {
        var dst = new byte[outW * outH * 3];
        float sx = w / outW, sy = h / outH;
        for (int j = 0; j < outH; j++)
        for (int i = 0; i < outW; i++)
            Bilinear(src, x + (i + 0.5f) * sx - 0.5f, y + (j + 0.5f) * sy - 0.5f, dst.AsSpan((j * outW + i) * 3, 3));
        return new RgbImage(outW, outH, dst);
    }
}

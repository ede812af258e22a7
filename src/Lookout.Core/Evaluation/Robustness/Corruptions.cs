using Lookout.Core.Imaging;

namespace Lookout.Core.Evaluation.Robustness;

/// <summary>One way an image can be degraded, at increasing strengths; <see cref="Levels"/>[0] leaves the image as it is.</summary>
/// <param name="Unit">What a level's value means, for axis labels.</param>
public sealed record Corruption(string Name, string Unit, IReadOnlyList<double> Levels, Func<RgbImage, double, int, RgbImage> Apply);

/// <summary>
/// The corruptions of the robustness report, applied to the model-input-size image (as ImageNet-C does): brightness and
/// contrast factors, Gaussian blur, Gaussian noise, JPEG re-encoding and rotation about the centre (corners filled with
/// mid grey). Deterministic: noise is seeded by the image index.
/// </summary>
public static class Corruptions
{
    public static IReadOnlyList<Corruption> Standard { get; } =
    [
        new("brightness", "factor", [1.0, 0.7, 0.5, 0.3, 1.5, 2.0], (img, v, _) => Map(img, p => p * v)),
        new("contrast", "factor", [1.0, 0.7, 0.5, 0.3, 0.15], (img, v, _) => Contrast(img, v)),
        new("blur", "sigma px", [0, 1, 2, 3, 5], (img, v, _) => v <= 0 ? img : Blur(img, v)),
        new("noise", "std (0-255)", [0, 10, 20, 40, 60], (img, v, seed) => v <= 0 ? img : Noise(img, v, seed)),
        new("jpeg", "quality", [100, 50, 25, 10, 5], (img, v, _) => v >= 100 ? img : Jpeg(img, (int)v)),
        new("rotation", "degrees", [0, 10, 20, 45, 90, 180], (img, v, _) => v == 0 ? img : Rotate(img, v)),
    ];

    private static RgbImage Map(RgbImage img, Func<double, double> f)
    {
        var px = new byte[img.Pixels.Length];
        for (int i = 0; i < px.Length; i++) px[i] = Clamp(f(img.Pixels[i]));
        return img with { Pixels = px };
    }

    /// <summary>Scales each pixel's distance from the image's mean grey level.</summary>
    internal static RgbImage Contrast(RgbImage img, double factor)
    {
        double mean = img.Pixels.Average(b => (double)b);
        return Map(img, p => mean + (p - mean) * factor);
    }

    /// <summary>Separable Gaussian blur, radius 3 sigma, edges repeated.</summary>
    internal static RgbImage Blur(RgbImage img, double sigma)
    {
        int r = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var k = Enumerable.Range(-r, 2 * r + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        double sum = k.Sum();
        for (int i = 0; i < k.Length; i++) k[i] /= sum;
        int w = img.Width, h = img.Height;
        var tmp = new double[img.Pixels.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                {
                    double acc = 0;
                    for (int j = -r; j <= r; j++) acc += k[j + r] * img.Pixels[(y * w + Math.Clamp(x + j, 0, w - 1)) * 3 + c];
                    tmp[(y * w + x) * 3 + c] = acc;
                }
        var px = new byte[img.Pixels.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                {
                    double acc = 0;
                    for (int j = -r; j <= r; j++) acc += k[j + r] * tmp[(Math.Clamp(y + j, 0, h - 1) * w + x) * 3 + c];
                    px[(y * w + x) * 3 + c] = Clamp(acc);
                }
        return img with { Pixels = px };
    }

    internal static RgbImage Noise(RgbImage img, double std, int seed)
    {
        var rng = new Random(seed);
        return Map(img, p => p + std * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
    }

    internal static RgbImage Jpeg(RgbImage img, int quality)
    {
        var bytes = ImageEncoding.Jpeg(img, quality);
        return ImageLoader.Load(bytes, new PreprocessSpec { Width = img.Width, Height = img.Height, Resize = ResizeMode.Stretch });
    }

    /// <summary>Bilinear rotation about the centre, same size; pixels from outside the image are mid grey.</summary>
    internal static RgbImage Rotate(RgbImage img, double degrees)
    {
        int w = img.Width, h = img.Height;
        double a = degrees * Math.PI / 180, cos = Math.Cos(a), sin = Math.Sin(a), cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        var px = new byte[img.Pixels.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                // Inverse mapping: where in the source does this output pixel come from?
                double sx = cos * (x - cx) + sin * (y - cy) + cx, sy = -sin * (x - cx) + cos * (y - cy) + cy;
                int x0 = (int)Math.Floor(sx), y0 = (int)Math.Floor(sy);
                double fx = sx - x0, fy = sy - y0;
                for (int c = 0; c < 3; c++)
                {
                    double Sample(int xx, int yy) => xx < 0 || yy < 0 || xx >= w || yy >= h ? 128 : img.Pixels[(yy * w + xx) * 3 + c];
                    double top = Sample(x0, y0) * (1 - fx) + Sample(x0 + 1, y0) * fx;
                    double bottom = Sample(x0, y0 + 1) * (1 - fx) + Sample(x0 + 1, y0 + 1) * fx;
                    px[(y * w + x) * 3 + c] = Clamp(top * (1 - fy) + bottom * fy);
                }
            }
        return img with { Pixels = px };
    }

    private static byte Clamp(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);
}


namespace Lookout.Core.Imaging.Augmentation;

/// <summary>
/// Crops a random area (a fraction <paramref name="minScale"/>..<paramref name="maxScale"/> of the image, aspect
/// ratio 3:4..4:3) and resizes it to the model size. Falls back to the whole image when no crop fits in 10 tries.
/// </summary>
public sealed class RandomResizedCrop(int width, int height, double minScale = 0.6, double maxScale = 1.0,
    double minRatio = 3.0 / 4, double maxRatio = 4.0 / 3) : IAugmentation
{
    public RgbImage Apply(RgbImage image, Random random)
    {
        double area = (double)image.Width * image.Height;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (minScale + random.NextDouble() * (maxScale - minScale));
            double logRatio = Math.Log(minRatio) + random.NextDouble() * (Math.Log(maxRatio) - Math.Log(minRatio));
            double ratio = Math.Exp(logRatio);
            double w = Math.Sqrt(target * ratio), h = Math.Sqrt(target / ratio);
            if (w > image.Width || h > image.Height) continue;
            double x = random.NextDouble() * (image.Width - w), y = random.NextDouble() * (image.Height - h);
            return Sampler.CropResize(image, (float)x, (float)y, (float)w, (float)h, width, height);
        }
        return Sampler.CropResize(image, 0, 0, image.Width, image.Height, width, height);
    }
}

/// <summary>Mirrors left-right with probability <paramref name="probability"/>.</summary>
public sealed class HorizontalFlip(double probability = 0.5) : IAugmentation
{
    public RgbImage Apply(RgbImage image, Random random)
    {
        if (random.NextDouble() >= probability) return image;
        var src = image.Pixels; var dst = new byte[src.Length];
        int w = image.Width;
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < w; x++)
        {
            int s = (y * w + x) * 3, d = (y * w + (w - 1 - x)) * 3;
            dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2];
        }
        return image with { Pixels = dst };
    }
}

/// <summary>Rotates about the centre by a uniform angle in ±<paramref name="maxDegrees"/>; corners repeat the edge.</summary>
public sealed class SmallRotation(double maxDegrees = 10) : IAugmentation
{
    public RgbImage Apply(RgbImage image, Random random)
    {
        double angle = (random.NextDouble() * 2 - 1) * maxDegrees * Math.PI / 180;
        if (angle == 0) return image;
        float cos = (float)Math.Cos(angle), sin = (float)Math.Sin(angle);
        float cx = (image.Width - 1) / 2f, cy = (image.Height - 1) / 2f;
        var dst = new byte[image.Pixels.Length];
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width; x++)
        {
            // Inverse mapping: where in the source does this output pixel come from.
            float dx = x - cx, dy = y - cy;
            Sampler.Bilinear(image, cx + cos * dx + sin * dy, cy - sin * dx + cos * dy, dst.AsSpan((y * image.Width + x) * 3, 3));
        }
        return image with { Pixels = dst };
    }
}

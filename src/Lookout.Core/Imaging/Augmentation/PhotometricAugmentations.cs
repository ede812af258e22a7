
namespace Lookout.Core.Imaging.Augmentation;

/// <summary>
/// Random brightness, contrast and saturation factors, each uniform in [1-x, 1+x], applied in a random order
/// as torchvision's ColorJitter does.
/// </summary>
public sealed class ColorJitter(double brightness = 0.2, double contrast = 0.2, double saturation = 0.2) : IAugmentation
{
    public RgbImage Apply(RgbImage image, Random random)
    {
        float b = Factor(brightness, random), c = Factor(contrast, random), s = Factor(saturation, random);
        var order = new[] { 0, 1, 2 };
        random.Shuffle(order);
        var px = image.Pixels.Select(v => (float)v).ToArray();
        foreach (var op in order)
        {
            switch (op)
            {
                case 0: for (int i = 0; i < px.Length; i++) px[i] *= b; break;
                case 1:
                    // Contrast blends with the mean grey level of the image.
                    float mean = 0;
                    for (int i = 0; i < px.Length; i += 3) mean += Gray(px, i);
                    mean /= px.Length / 3;
                    for (int i = 0; i < px.Length; i++) px[i] = mean + (px[i] - mean) * c;
                    break;
                case 2:
                    for (int i = 0; i < px.Length; i += 3)
                    {
                        float g = Gray(px, i);
                        for (int k = 0; k < 3; k++) px[i + k] = g + (px[i + k] - g) * s;
                    }
                    break;
            }
            for (int i = 0; i < px.Length; i++) px[i] = Math.Clamp(px[i], 0f, 255f);
        }
        return image with { Pixels = px.Select(Sampler.ToByte).ToArray() };
    }

    private static float Factor(double range, Random random) => (float)(1 + (random.NextDouble() * 2 - 1) * range);
    private static float Gray(float[] px, int i) => 0.299f * px[i] + 0.587f * px[i + 1] + 0.114f * px[i + 2];
}

/// <summary>Gaussian blur with probability <paramref name="probability"/>, sigma uniform in [0.3, maxSigma] (separable).</summary>
public sealed class RandomBlur(double probability = 0.3, double maxSigma = 1.2) : IAugmentation
{
    public RgbImage Apply(RgbImage image, Random random)
    {
        if (random.NextDouble() >= probability) return image;
        double sigma = 0.3 + random.NextDouble() * (maxSigma - 0.3);
        return Blur(image, sigma);
    }

    public static RgbImage Blur(RgbImage image, double sigma)
    {
        int radius = Math.Max(1, (int)Math.Ceiling(2.5 * sigma));
        var kernel = Enumerable.Range(-radius, 2 * radius + 1).Select(i => (float)Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        float sum = kernel.Sum();
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= sum;
        int w = image.Width, h = image.Height;
        var tmp = new float[image.Pixels.Length];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        for (int ch = 0; ch < 3; ch++)
        {
            float acc = 0;
            for (int k = -radius; k <= radius; k++) acc += kernel[k + radius] * image.Pixels[(y * w + Math.Clamp(x + k, 0, w - 1)) * 3 + ch];
            tmp[(y * w + x) * 3 + ch] = acc;
        }
        var dst = new byte[tmp.Length];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        for (int ch = 0; ch < 3; ch++)
        {
            float acc = 0;
            for (int k = -radius; k <= radius; k++) acc += kernel[k + radius] * tmp[(Math.Clamp(y + k, 0, h - 1) * w + x) * 3 + ch];
            dst[(y * w + x) * 3 + ch] = Sampler.ToByte(acc);
        }
        return image with { Pixels = dst };
    }
}

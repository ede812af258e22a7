using Lookout.Core.Imaging;

namespace Lookout.Core.Training.Scratch;

/// <summary>Whether a data set should train a compact CNN from scratch, at what input size, and the reason in words.</summary>
public sealed record SmallImageDecision(bool FromScratch, int Width, int Height, string Reason);

/// <summary>
/// Frozen 224-px features of a pretrained backbone are a poor fit for many small images (Fashion-MNIST: 81% probe vs
/// 94% for a compact CNN trained on the 60,000 images at 28x28). The rule: images are small when the typical (median)
/// longer side is at most <see cref="MaxSide"/> px, and plentiful when there are at least <see cref="MinPerClass"/>
/// training images per class on average. The input size is the most common image size when at least 90% share it,
/// else the median size, capped at <see cref="MaxSide"/>.
/// </summary>
public static class SmallImagePolicy
{
    public const int MaxSide = 64;
    public const int MinPerClass = 500;

    public static SmallImageDecision Decide(IReadOnlyList<(int Width, int Height)> sizes, int trainImages, int classes)
    {
        if (sizes.Count == 0 || classes == 0) return new(false, 0, 0, "no images");
        var (w, h) = InputSize(sizes);
        int medianSide = sizes.Select(s => Math.Max(s.Width, s.Height)).Order().ElementAt(sizes.Count / 2);
        double perClass = (double)trainImages / classes;
        if (medianSide > MaxSide)
            return new(false, w, h, $"images are not small (median longer side {medianSide} px > {MaxSide})");
        if (perClass < MinPerClass)
            return new(false, w, h, $"images are small ({medianSide} px) but not plentiful ({perClass:0} training images per class < {MinPerClass})");
        return new(true, w, h, $"images are small ({medianSide} px) and plentiful ({perClass:0} training images per class)");
    }

    /// <summary>Reads the sizes of (up to <paramref name="sample"/>, evenly spread) image files from their headers.</summary>
    public static IReadOnlyList<(int Width, int Height)> SampleSizes(IReadOnlyList<string> items, int sample = 500)
    {
        int step = Math.Max(1, items.Count / sample);
        var picked = items.Where((_, i) => i % step == 0).Take(sample).ToList();
        var sizes = new (int, int)[picked.Count];
        var ok = new bool[picked.Count];
        Parallel.For(0, picked.Count, i =>
        {
            try { sizes[i] = ImageLoader.ReadSize(picked[i]); ok[i] = true; }
            catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException) { }
        });
        return [.. sizes.Where((_, i) => ok[i])];
    }

    private static (int Width, int Height) InputSize(IReadOnlyList<(int Width, int Height)> sizes)
    {
        var common = sizes.GroupBy(s => s).OrderByDescending(g => g.Count()).First();
        if (common.Count() >= 0.9 * sizes.Count) return Cap(common.Key);
        var w = sizes.Select(s => s.Width).Order().ElementAt(sizes.Count / 2);
        var h = sizes.Select(s => s.Height).Order().ElementAt(sizes.Count / 2);
        return Cap((w, h));
    }

    private static (int, int) Cap((int Width, int Height) s)
    {
        double f = Math.Min(1.0, (double)MaxSide / Math.Max(s.Width, s.Height));
        return (Math.Max(8, (int)Math.Round(s.Width * f)), Math.Max(8, (int)Math.Round(s.Height * f)));
    }
}

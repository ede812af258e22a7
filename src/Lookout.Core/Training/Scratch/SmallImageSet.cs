using Lookout.Core.Imaging;

namespace Lookout.Core.Training.Scratch;

/// <summary>
/// Small images held in memory at the model's native size as uint8 HWC RGB (what the exported model takes), with
/// class indices. 60,000 Fashion-MNIST images take 141 MB.
/// </summary>
public sealed class SmallImageSet
{
    public SmallImageSet(int width, int height, IReadOnlyList<byte[]> pixels, int[] labels)
    {
        if (pixels.Count != labels.Length) throw new ArgumentException("One label per image.", nameof(labels));
        if (pixels.Any(p => p.Length != width * height * 3)) throw new ArgumentException($"Every image must be {width}x{height} RGB.", nameof(pixels));
        Width = width; Height = height; Pixels = pixels; Labels = labels;
    }

    public int Width { get; }
    public int Height { get; }
    public IReadOnlyList<byte[]> Pixels { get; }
    public int[] Labels { get; }
    public int Count => Labels.Length;

    /// <summary>Decodes labelled image files (in parallel) to <paramref name="spec"/>'s size; unreadable files are returned as errors.</summary>
    public static (SmallImageSet Set, IReadOnlyList<(string Path, string Reason)> Errors) Load(IReadOnlyList<(string Path, string Label)> items,
        IReadOnlyDictionary<string, int> classOf, PreprocessSpec spec, CancellationToken ct = default)
    {
        var pixels = new byte[]?[items.Count];
        var errors = new string?[items.Count];
        Parallel.For(0, items.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            try { pixels[i] = ImageLoader.Load(items[i].Path, spec).Pixels; }
            catch (ImageDecodeException e) { errors[i] = e.Reason; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { errors[i] = e.Message; }
        });
        var ok = Enumerable.Range(0, items.Count).Where(i => pixels[i] is not null).ToList();
        var set = new SmallImageSet(spec.Width, spec.Height, [.. ok.Select(i => pixels[i]!)], [.. ok.Select(i => classOf[items[i].Label])]);
        return (set, [.. Enumerable.Range(0, items.Count).Where(i => errors[i] is not null).Select(i => (items[i].Path, errors[i]!))]);
    }

    /// <summary>Per-channel mean and std of the pixels (0..255 units), for the model's in-graph normalisation.</summary>
    public (float[] Mean, float[] Std) ChannelStats()
    {
        var sum = new double[3]; var sq = new double[3]; long n = 0;
        foreach (var p in Pixels)
        {
            for (int i = 0; i < p.Length; i += 3)
                for (int c = 0; c < 3; c++) { double v = p[i + c]; sum[c] += v; sq[c] += v * v; }
            n += p.Length / 3;
        }
        var mean = new float[3]; var std = new float[3];
        for (int c = 0; c < 3; c++)
        {
            double m = sum[c] / Math.Max(n, 1);
            mean[c] = (float)m;
            std[c] = (float)Math.Max(Math.Sqrt(Math.Max(sq[c] / Math.Max(n, 1) - m * m, 0)), 1.0);
        }
        return (mean, std);
    }

    public SmallImageSet Concat(SmallImageSet other) =>
        new(Width, Height, [.. Pixels, .. other.Pixels], [.. Labels, .. other.Labels]);
}

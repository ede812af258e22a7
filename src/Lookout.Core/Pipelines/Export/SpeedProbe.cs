using System.Diagnostics;
using Lookout.Core.Imaging;
using Lookout.Core.Models;

namespace Lookout.Core.Pipelines.Export;

/// <summary>
/// ms/image of two models on the same preloaded images in this process: one warm-up each, then rounds alternating
/// between them (so load from other processes hits both alike), median of the rounds. Decoding is left out.
/// </summary>
public static class SpeedProbe
{
    public static (double First, double Second) MsPerImage(string first, string second, PreprocessSpec spec, IReadOnlyList<RgbImage> images, int rounds)
    {
        if (images.Count == 0) throw new ArgumentException("no images to time", nameof(images));
        using var a = new OnnxImageRunner(first, ModelMetadata.ProbsOutput, spec);
        using var b = new OnnxImageRunner(second, ModelMetadata.ProbsOutput, spec);
        a.Run(images); b.Run(images);
        var ta = new List<double>(); var tb = new List<double>();
        for (int r = 0; r < Math.Max(1, rounds); r++)
        {
            ta.Add(Time(a, images)); tb.Add(Time(b, images));
        }
        return (Median(ta), Median(tb));
    }

    private static double Time(OnnxImageRunner runner, IReadOnlyList<RgbImage> images)
    {
        var sw = Stopwatch.StartNew();
        runner.Run(images);
        return sw.Elapsed.TotalMilliseconds / images.Count;
    }

    private static double Median(List<double> xs) { xs.Sort(); return xs[xs.Count / 2]; }
}

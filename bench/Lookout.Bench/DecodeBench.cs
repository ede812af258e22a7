using System.Diagnostics;
using Lookout.Core.Imaging;
using NetVips;

namespace Lookout.Bench;

/// <summary>Medians for one test image: wall-clock and process CPU time per decode, for both paths.</summary>
public sealed record DecodeBenchResult(string Image, long FileBytes, double ShrinkOnLoadMs, double FullDecodeMs,
    double ShrinkOnLoadCpuMs, double FullDecodeCpuMs, int Iterations, double SkiaFullDecodeMs = double.NaN)
{
    public double Ratio => FullDecodeMs / ShrinkOnLoadMs;
    public double CpuRatio => FullDecodeCpuMs / ShrinkOnLoadCpuMs;
    public double SkiaRatio => SkiaFullDecodeMs / ShrinkOnLoadMs;
}

/// <summary>
/// Shrink-on-load (<see cref="ImageLoader"/>, libvips thumbnail) against full-size decode then resize (NetVips,
/// libjpeg-turbo), on generated 12-MP JPEGs, in the same run, interleaved, median of N. The JPEG entropy decode
/// cannot be skipped by either path, so the gain shrinks as files get more detailed (bigger): two images are
/// measured, a smooth one and a detailed one. Target: shrink-on-load at least 3x faster.
/// </summary>
public static class DecodeBench
{
    private const int Width = 4000, Height = 3000;

    /// <summary>Entry point for the bench runner (found by reflection: exactly one parameterless Run).</summary>
    public static IReadOnlyList<DecodeBenchResult> Run() => Compare(15, Console.Out);

    public static IReadOnlyList<DecodeBenchResult> Compare(int iterations, TextWriter output)
    {
        var dir = Directory.CreateTempSubdirectory("lookout-bench").FullName;
        // libvips caches operation results; a cache hit would time nothing, so both paths run uncached.
        var (cacheMax, cacheMem, cacheFiles) = (Cache.Max, Cache.MaxMem, Cache.MaxFiles);
        Cache.Max = 0; Cache.MaxMem = 0; Cache.MaxFiles = 0;
        try
        {
            var spec = new PreprocessSpec { Width = 224, Height = 224, Resize = ResizeMode.ShorterSideCenterCrop };
            output.WriteLine($"decode: {Width}x{Height} JPEG (q90) -> {spec.Width}x{spec.Height} RGB, median of {iterations}, wall ms (process CPU ms)");
            var results = new List<DecodeBenchResult>();
            foreach (var (name, noise) in new[] { ("smooth", 3.0), ("detailed", 12.0) })
            {
                var jpeg = Path.Combine(dir, $"{name}.jpg");
                WritePhotoLikeJpeg(jpeg, noise);
                var r = Measure(name, jpeg, spec, iterations);
                results.Add(r);
                output.WriteLine($"  {name,-8} {r.FileBytes / 1024,6} KB  shrink-on-load {r.ShrinkOnLoadMs,6:0.0} ({r.ShrinkOnLoadCpuMs:0.0})" +
                    $"  full decode+resize: libvips {r.FullDecodeMs,6:0.0} ({r.FullDecodeCpuMs:0.0}) ratio {r.Ratio:0.0}x (CPU {r.CpuRatio:0.0}x)," +
                    $" SkiaSharp as ML.NET {r.SkiaFullDecodeMs,6:0.0} ratio {r.SkiaRatio:0.0}x" + (r.Ratio >= 3 ? "" : "  (libvips ratio below the 3x target)"));
            }
            EndToEnd(dir, Path.Combine(dir, "detailed.jpg"), results[^1], output);
            return results;
        }
        finally
        {
            (Cache.Max, Cache.MaxMem, Cache.MaxFiles) = (cacheMax, cacheMem, cacheFiles);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static DecodeBenchResult Measure(string name, string jpeg, PreprocessSpec spec, int iterations)
    {
        var shrink = new List<(double Wall, double Cpu)>();
        var full = new List<(double Wall, double Cpu)>();
        var skia = new List<(double Wall, double Cpu)>();
        for (int i = -2; i < iterations; i++)        // two warm-up rounds, then interleaved timed rounds
        {
            var a = Time(() => ImageLoader.Load(jpeg, spec).Pixels.Length);
            var b = Time(() => FullDecodeThenResize(jpeg, spec.Width, spec.Height).Length);
            var c = Time(() => SkiaFullDecodeThenResize(jpeg, spec.Width, spec.Height));
            if (i >= 0) { shrink.Add(a); full.Add(b); skia.Add(c); }
        }
        return new DecodeBenchResult(name, new FileInfo(jpeg).Length, Median(shrink.Select(s => s.Wall)), Median(full.Select(s => s.Wall)),
            Median(shrink.Select(s => s.Cpu)), Median(full.Select(s => s.Cpu)), iterations, Median(skia.Select(s => s.Wall)));
    }

    /// <summary>
    /// The honest limit: process CPU per 12-MP image for the whole classify path (pipelined file run, default backbone
    /// + head) next to decoding alone, so it is plain how much of the work no model or threading change can remove.
    /// </summary>
    private static void EndToEnd(string dir, string jpeg, DecodeBenchResult decode, TextWriter output)
    {
        var modelPath = BenchAssets.Classifier(dir, ["a", "b", "c"], out var backbone);
        using var model = Lookout.Core.Inference.ClassifierModel.Load(modelPath);
        var paths = Enumerable.Repeat(jpeg, 24).ToList();
        foreach (var _ in model.ClassifyFilesAsync(paths.Take(4).ToList()).ToBlockingEnumerable()) { }
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        int n = model.ClassifyFilesAsync(paths).ToBlockingEnumerable().Count(r => r.Ok);
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / n;
        output.WriteLine($"  end to end (detailed image x{n}, {backbone}, pipelined classify): {cpuMs:0.0} CPU-ms/img vs decode alone {decode.ShrinkOnLoadCpuMs:0.0}:" +
                         $" decoding is {decode.ShrinkOnLoadCpuMs / cpuMs:P0} of the work; {Environment.ProcessorCount} idle cores could do at most {Environment.ProcessorCount * 1000 / cpuMs:0} img/s");
    }

    /// <summary>What a loader without shrink-on-load does: decode every pixel, then scale and centre-crop.</summary>
    public static byte[] FullDecodeThenResize(string path, int width, int height)
    {
        using var decoded = Image.NewFromFile(path, access: Enums.Access.Sequential);
        using var inMemory = decoded.CopyMemory();
        double scale = Math.Max((double)width / inMemory.Width, (double)height / inMemory.Height);
        using var resized = inMemory.Resize(scale);
        using var cropped = resized.Crop((resized.Width - width) / 2, (resized.Height - height) / 2, width, height);
        return cropped.WriteToMemory<byte>();
    }

    /// <summary>The peer baseline: what ML.NET's ImageAnalytics does (SkiaSharp full decode into a bitmap, then resize).</summary>
    public static int SkiaFullDecodeThenResize(string path, int width, int height)
    {
        using var bitmap = SkiaSharp.SKBitmap.Decode(path);
        double scale = Math.Max((double)width / bitmap.Width, (double)height / bitmap.Height);
        var info = new SkiaSharp.SKImageInfo((int)Math.Ceiling(bitmap.Width * scale), (int)Math.Ceiling(bitmap.Height * scale));
        using var resized = bitmap.Resize(info, new SkiaSharp.SKSamplingOptions(SkiaSharp.SKFilterMode.Linear, SkiaSharp.SKMipmapMode.Linear));
        return resized.ByteCount;
    }

    /// <summary>Gradients and a wave plus Gaussian noise; more noise means more detail, a bigger file, more entropy decoding.</summary>
    private static void WritePhotoLikeJpeg(string path, double noiseSigma)
    {
        using var xy = Image.Xyz(Width, Height);
        using var x = xy[0];
        using var y = xy[1];
        using var r = x * (255.0 / Width);
        using var g = y * (255.0 / Height);
        using var sum = x + y;
        using var wave = (sum * 0.01).Math(Enums.OperationMath.Sin);
        using var b = wave * 100 + 128;
        using var rgb = r.Bandjoin(g, b);
        using var noise = Image.Gaussnoise(Width, Height, sigma: noiseSigma, mean: 0);
        using var noisy = rgb + noise;
        using var bytes = noisy.Cast(Enums.BandFormat.Uchar);
        using var srgb = bytes.Copy(interpretation: Enums.Interpretation.Srgb);
        srgb.Jpegsave(path, q: 90);
    }

    private static (double Wall, double Cpu) Time(Func<int> work)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        if (work() <= 0) throw new InvalidOperationException("decode produced no pixels");
        return (sw.Elapsed.TotalMilliseconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

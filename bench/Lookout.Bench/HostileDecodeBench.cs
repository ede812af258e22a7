using System.Diagnostics;
using Lookout.Core.Imaging;
using Lookout.Tests.Shared;
using NetVips;

namespace Lookout.Bench;

/// <summary>
/// What hostile inputs cost the decoder relative to an ordinary photo, in the same run: a 4000x3000 JPEG to a 224 px
/// centre crop is the baseline; the 1-pixel-wide PNGs and the 1-bit 7000x7000 BMP of the hostile-input report must
/// cost about the same (bounded by the output), not 100x (the old decoder: 23-147 s and +1.1-2.9 GB for the strips,
/// +140 MB per 1-bit BMP). Median wall time and managed bytes allocated per decode.
/// </summary>
public static class HostileDecodeBench
{
    public static void Run()
    {
        var spec = new PreprocessSpec();
        // A photo-like 12-MP JPEG: gradients plus mild noise (about 3 MB, like a phone picture).
        using var xy = Image.Xyz(4000, 3000);
        using var gradient = (xy[0] * (255.0 / 4000)).Bandjoin(xy[1] * (255.0 / 3000), (xy[0] + xy[1]) * (255.0 / 7000));
        using var noisy = gradient + Image.Gaussnoise(4000, 3000, sigma: 6, mean: 0);
        using var photoBytes = noisy.Cast(Enums.BandFormat.Uchar).Copy(interpretation: Enums.Interpretation.Srgb);
        var inputs = new (string Name, byte[] Bytes)[]
        {
            ("4000x3000 JPEG (baseline)", photoBytes.JpegsaveBuffer(q: 90)),
            ("1x20000 PNG", HostileImages.SolidPng(1, 20000)),
            ("1x40000 PNG", HostileImages.SolidPng(1, 40000)),
            ("20000x1 PNG", HostileImages.SolidPng(20000, 1)),
            ("1-bit 7000x7000 BMP", HostileImages.Bmp1Bit(7000, 7000)),
            ("24-bit 4000x3000 BMP", HostileImages.Bmp24(4000, 3000, HostileImages.Pattern(1, 4000, 3000))),
        };
        Console.WriteLine($"hostile decode -> {spec.Width}x{spec.Height} centre crop, median of 9 (ms, managed MB allocated per decode)");
        double? baseline = null;
        foreach (var (name, bytes) in inputs)
        {
            var times = new List<double>();
            long allocated = 0;
            for (int i = -1; i < 9; i++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                ImageDecoder.Decode(ImageSource.FromBytes(bytes), ImageTarget.For(spec));
                if (i < 0) continue;
                times.Add(sw.Elapsed.TotalMilliseconds);
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            double median = times.Order().ElementAt(times.Count / 2);
            baseline ??= median;
            Console.WriteLine($"  {name,-26} {bytes.Length / 1024.0,9:0.#} KB  {median,7:0.0} ms  x{median / baseline.Value,5:0.00}  {allocated / 1048576.0,6:0.0} MB");
        }
    }
}

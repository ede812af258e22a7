using System.Diagnostics;
using System.Globalization;
using Lookout.Core.Imaging;
using NetVips;

namespace Lookout.Bench;

/// <summary>
/// Where the CPU of one 12-MP JPEG → 224x224 decode goes, one thread, same files, interleaved rounds, CPU-ms per image
/// (process CPU: libvips' own worker threads are counted): reading the file, the header check, libjpeg's decode at
/// each DCT scale (1/4 as libvips' thumbnail picks for this size, 1/8), and the whole decode path as Lookout runs it,
/// with libvips' thread pool at its default and at one thread. The entropy (Huffman) decode is the same at every
/// scale and is the floor no resize choice can go under.
/// Options: <c>--images N</c> (default 20), <c>--rounds R</c> (default 3).
/// </summary>
public static class DecodeStagesBench
{
    public static void Run(string[] args)
    {
        int count = Arg(args, "--images", 20), rounds = Arg(args, "--rounds", 3);
        var files = Directory.GetFiles(BenchAssets.TwelveMegapixelFolder(100), "*.jpg").Order(StringComparer.Ordinal).Take(count).ToList();
        var spec = new PreprocessSpec { Width = 224, Height = 224, Resize = ResizeMode.ShorterSideCenterCrop };
        var bytes = files.Select(File.ReadAllBytes).ToList();
        var reused = new byte[bytes.Max(b => b.Length)];
        int vipsDefault = NetVips.NetVips.Concurrency;
        var stages = new (string Name, Action<int> Work)[]
        {
            ("read file", i => File.ReadAllBytes(files[i])),
            ("read file into a reused buffer", i => { using var f = File.OpenHandle(files[i]); RandomAccess.Read(f, reused, 0); }),
            ("header check", i => ImageHeader.Read(ImageSource.FromBytes(bytes[i]))),
            ("libjpeg 1/8 scale only", i => { using var im = Image.JpegloadBuffer(bytes[i], shrink: 8, access: Enums.Access.Sequential); im.WriteToMemory<byte>(); }),
            ("libjpeg 1/4 scale only", i => { using var im = Image.JpegloadBuffer(bytes[i], shrink: 4, access: Enums.Access.Sequential); im.WriteToMemory<byte>(); }),
            ("lookout decode (file)", i => ImageLoader.Load(files[i], spec)),
            ("lookout decode, vips threads 1", i =>
            {
                NetVips.NetVips.Concurrency = 1;
                try { ImageLoader.Load(files[i], spec); }
                finally { NetVips.NetVips.Concurrency = vipsDefault; }
            }),
        };
        Console.WriteLine($"decode stages: {files.Count} of the classify bench's 12-MP JPEGs -> 224x224, one thread, median of {rounds} rounds, CPU-ms/img (wall ms/img); load average {BenchAssets.LoadAverage()}");
        foreach (var (_, work) in stages) work(0); // warm-up
        var samples = stages.Select(_ => new List<(double Cpu, double Wall)>()).ToArray();
        for (int r = 0; r < rounds; r++)
            for (int s = 0; s < stages.Length; s++)
                samples[s].Add(Time(files.Count, stages[s].Work));
        double baseCpu = BenchAssets.Median(samples[5].Select(x => x.Cpu));
        for (int s = 0; s < stages.Length; s++)
        {
            double cpu = BenchAssets.Median(samples[s].Select(x => x.Cpu)), wall = BenchAssets.Median(samples[s].Select(x => x.Wall));
            Console.WriteLine(FormattableString.Invariant($"  {stages[s].Name,-32} {cpu,6:0.0} ({wall,6:0.0})  {cpu / baseCpu,5:0.00}x of lookout decode"));
        }
    }

    private static (double Cpu, double Wall) Time(int n, Action<int> work)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) work(i);
        return ((Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / n, clock.Elapsed.TotalMilliseconds / n);
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}

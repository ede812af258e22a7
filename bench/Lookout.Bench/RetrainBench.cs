using System.Globalization;
using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;

namespace Lookout.Bench;

/// <summary>
/// How long <c>lookout train</c> takes on 1,000 small images (Fashion-MNIST, 100 per class, 28x28 PNG), and how much
/// memory it holds, measured as a user feels it: wall time, CPU and peak RSS of the CLI process from start to exit
/// (<see cref="ChildProcessMeter"/>). Cold: a fresh workspace (scan, embed every image, train, export, evaluate). Warm:
/// the same command again, every embedding cached (a retrain). Each run prints its own stage timings (scan, split,
/// backbone, embed, train, calibrate, export, eval, write); the rest of the wall time is process start-up, loading and
/// exit, set beside <c>lookout --version</c> (the bare start-up floor) measured in the same run.
/// Goals (issues 12-14): warm &lt;= 3 s, cold &lt;= 15 s on this 2-core machine, peak RSS &lt;= 1 GB.
/// With <c>--photos N</c> it instead trains once on N camera-size (12-MP) JPEGs in two classes and prints the peak RSS:
/// memory must stay flat in the number and size of images (decoded pixels are never held beyond the decode window).
/// Usage: retrain [--per-class 100] [--warm 5] [--cold 1] [--backbone nanodet-backbone] [--data DIR (kept, built once)] [--photos N]
/// </summary>
public static class RetrainBench
{
    public static async Task Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int Int(string name, string fallback) => int.Parse(Arg(name, fallback), CultureInfo.InvariantCulture);
        int perClass = Int("--per-class", "100"), warmRuns = Int("--warm", "5"), coldRuns = Int("--cold", "1");
        var backbone = Arg("--backbone", "nanodet-backbone");
        string repo = Directory.GetCurrentDirectory();
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Lookout.slnx"))) { repo = d.FullName; break; }
        // The apphost, as a user runs it (not 'dotnet lookout.dll').
        var exe = Path.Combine(repo, "src/Lookout.Cli/bin/Release/net10.0/linux-x64/lookout");
        var root = Directory.CreateTempSubdirectory("lookout-retrain").FullName;
        try
        {
            if (args.Contains("--photos")) { Photos(exe, root, Int("--photos", "100"), backbone); return; }
            var data = Arg("--data", Path.Combine(root, "fm"));
            if (!File.Exists(Path.Combine(data, ".bench-ready")))
            {
                await FashionMnistDemoBuilder.BuildAsync(data, new FashionMnistDemoOptions { PerClass = perClass, IncludeVideos = false });
                await File.WriteAllTextAsync(Path.Combine(data, ".bench-ready"), "");
            }
            Console.WriteLine($"{perClass * 10} images (28x28) in {data}; backbone {backbone}; CLI {exe}");

            ChildRun Train(string ws, string label)
            {
                string load = FashionMnistSet.LoadAverage();
                var r = ChildProcessMeter.Run(label, exe, ["train", data, "--backbone", backbone, "--workspace", ws, "--json", "--quiet"], BenchAssets.CliEnvironment());
                if (r.ExitCode != 0) throw new InvalidOperationException($"train failed: {r.StdErr}");
                var json = JsonDocument.Parse(r.StdOut).RootElement;
                var stages = json.GetProperty("timings").EnumerateObject().Select(p => (p.Name, p.Value.GetDouble())).ToList();
                double inRun = stages.Sum(t => t.Item2);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label}: {r.WallSeconds:0.00} s wall, {r.CpuSeconds:0.00} s CPU, peak RSS {r.PeakRssMb:0} MB (load {load}); " +
                    $"stages: {string.Join(", ", stages.Select(t => $"{t.Name} {t.Item2:0.00}"))}; start-up, loading and exit {r.WallSeconds - inRun:0.00} s; " +
                    $"test accuracy {100 * json.GetProperty("test").GetProperty("accuracy").GetDouble():0.0}%, " +
                    $"{json.GetProperty("embeddingsFromCache").GetInt32()} embeddings from cache"));
                if (r.StdErr.Contains(" computed at ", StringComparison.Ordinal) && json.GetProperty("embeddingsFromCache").GetInt32() == perClass * 10)
                    Console.WriteLine("  a fully cached run still printed a 'computed at' line");
                return r;
            }

            var starts = new List<double>();
            var colds = new List<ChildRun>();
            var warms = new List<ChildRun>();
            string ws = "";
            for (int c = 0; c < coldRuns; c++)
            {
                ws = Path.Combine(root, $"ws{c}");
                starts.Add(ChildProcessMeter.Run("start", exe, ["--version"], BenchAssets.CliEnvironment()).WallSeconds);
                colds.Add(Train(ws, $"cold {c + 1} (fresh workspace)"));
            }
            for (int i = 1; i <= warmRuns; i++)
            {
                starts.Add(ChildProcessMeter.Run("start", exe, ["--version"], BenchAssets.CliEnvironment()).WallSeconds);
                warms.Add(Train(ws, $"warm {i} (all embeddings cached)"));
            }
            static double Median(IEnumerable<double> xs) { var s = xs.Order().ToList(); return s.Count == 0 ? double.NaN : s[s.Count / 2]; }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"'lookout --version' (start-up floor) median {Median(starts):0.00} s of {starts.Count}; " +
                $"cold median {Median(colds.Select(r => r.WallSeconds)):0.0} s of {colds.Count} (goal <= 15 s; its CPU {Median(colds.Select(r => r.CpuSeconds)):0.0} s " +
                $"is {Median(colds.Select(r => r.CpuSeconds)) / Environment.ProcessorCount:0.0} s on {Environment.ProcessorCount} free cores); " +
                $"warm median {Median(warms.Select(r => r.WallSeconds)):0.00} s of {warms.Count} (goal <= 3 s); " +
                $"peak RSS cold {colds.Max(r => r.PeakRssMb):0} MB, warm {(warms.Count > 0 ? warms.Max(r => r.PeakRssMb) : 0):0} MB (goal <= 1024 MB); " +
                $"load {FashionMnistSet.LoadAverage()} at end"));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>One cold train on <paramref name="count"/> 12-MP JPEGs (two classes), reporting wall, CPU and peak RSS.</summary>
    private static void Photos(string exe, string root, int count, string backbone)
    {
        var photos = BenchAssets.TwelveMegapixelFolder(count);
        var data = Path.Combine(root, "photos");
        var files = Directory.GetFiles(photos, "*.jpg").Order(StringComparer.Ordinal).ToList();
        for (int i = 0; i < files.Count; i++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(data, i % 2 == 0 ? "even" : "odd")).FullName;
            File.Copy(files[i], Path.Combine(dir, Path.GetFileName(files[i]))); // a copy: symbolic links out of the folder are not followed
        }
        string load = FashionMnistSet.LoadAverage();
        var r = ChildProcessMeter.Run("photos", exe, ["train", data, "--backbone", backbone, "--workspace", Path.Combine(root, "ws"), "--json", "--quiet"], BenchAssets.CliEnvironment());
        if (r.ExitCode != 0) throw new InvalidOperationException($"train failed: {r.StdErr}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{files.Count} 12-MP JPEGs, cold train: {r.WallSeconds:0.0} s wall, {r.CpuSeconds:0.0} s CPU, peak RSS {r.PeakRssMb:0} MB (goal <= 1024 MB; load {load})"));
    }
}

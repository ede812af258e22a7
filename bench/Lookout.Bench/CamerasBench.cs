using System.Diagnostics;
using System.Globalization;
using Lookout.Core.Imaging;
using Lookout.Core.Models;
using Lookout.Core.Video;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Watch.Sources;

namespace Lookout.Bench;

/// <summary>
/// More cameras per box: 1, 4 and 8 live cameras (a generated 720p clip played in real time at 5 fps, one ffmpeg per
/// camera, drop-oldest queues, no motion gate so every frame counts) watched by the default detector, in one process:
/// 1. shared: one <see cref="WatchService"/> for all cameras (one scheduler, frames batched, round-robin);
/// 2. baseline in the same run: one independent watcher per camera in the same process, each calling the model
///    itself (what running a watcher per camera gives).
/// Printed per camera count: frames processed per camera (min..max share of frames in: a starved camera shows up as
/// a low minimum), frame latency p50/p95, frame→alert p95, mean frames per pass, CPU. Goal: 8 cameras × 5 fps with
/// p95 frame→alert ≤ 250 ms and no camera starved. Options: <c>--seconds S</c> (default 12), <c>--cameras 1,4,8</c>, <c>--pass-budget-ms MS</c> (default: the watcher's; 0 = off),
/// <c>--rounds R</c> (default 3; interleaved, medians printed at the end).
/// </summary>
public static class CamerasBench
{
    internal const double Fps = 5;
    private static TimeSpan? PassBudget = new WatchOptions().PassBudget;

    /// <summary>One watcher run: per-camera processed fps (slowest camera), share of frames, latencies, batching, CPU.</summary>
    private sealed record Result(string Name, double MinCameraFps, double MedianCameraFps, double MinShare, double MaxShare,
        double FrameP50, double FrameP95, double AlertP95, int Alerts, double FramesPerPass, double Cores)
    {
        public override string ToString() => // InvariantGlobalization: numbers print with a dot
            $"  {Name,-26} per camera {MedianCameraFps:0.0} fps processed (slowest {MinCameraFps:0.0}), {MinShare:P0}..{MaxShare:P0} of frames in;" +
            $" frame latency p50 {FrameP50:0} ms p95 (worst camera) {FrameP95:0} ms; {(Alerts == 0 ? "no alerts" : $"frame->alert p95 {AlertP95:0} ms (n={Alerts})")};" +
            $" frames/pass {FramesPerPass:0.0}; CPU {Cores:0.00} cores (load {BenchAssets.LoadAverage()})";
    }

    public static async Task Run(string[] args)
    {
        double seconds = args.Contains("--seconds") ? double.Parse(args[Array.IndexOf(args, "--seconds") + 1], CultureInfo.InvariantCulture) : 12;
        int rounds = args.Contains("--rounds") ? int.Parse(args[Array.IndexOf(args, "--rounds") + 1], CultureInfo.InvariantCulture) : 3;
        if (args.Contains("--pass-budget-ms")) // 0 = off: passes take up to 8 frames whatever they cost
            PassBudget = int.Parse(args[Array.IndexOf(args, "--pass-budget-ms") + 1], CultureInfo.InvariantCulture) is > 0 and var ms ? TimeSpan.FromMilliseconds(ms) : null;
        int[] counts = args.Contains("--cameras") ? args[Array.IndexOf(args, "--cameras") + 1].Split(',').Select(int.Parse).ToArray() : [1, 4, 8];
        var dir = Directory.CreateTempSubdirectory("lookout-camerasbench").FullName;
        try
        {
            var clip = Path.Combine(dir, "camera.mp4");
            await MakeClip(clip, 1280, 720, seconds);
            // As 'lookout watch' opens it: one camera may use every core in its pass; several cameras get one pass per
            // core, each with one ONNX Runtime thread.
            using var detectorOne = new DetectorFrameAnalyzer(CatalogObjectDetector.Open());
            using var detector = new DetectorFrameAnalyzer(CatalogObjectDetector.Open(runner: new OnnxRunnerOptions { IntraOpThreads = 1 }));
            var rules = RulesLoader.Parse("rules:\n  - name: bench\n    source: detector\n    when: { label: any, min_score: 0 }\n    cooldown: 1s\n    actions: [snapshot]\n");
            Console.WriteLine($"cameras: 720p clips at {Fps:0} fps played live for {seconds:0} s, detector {detector.Name}, pass budget {(PassBudget is { } b ? $"{b.TotalMilliseconds:0} ms" : "off")}, {Environment.ProcessorCount} cores, load average {BenchAssets.LoadAverage()}; {rounds} interleaved rounds");
            var all = counts.ToDictionary(n => n, _ => new List<(Result Separate, Result Shared)>());
            for (int r = 0; r < rounds; r++)
                foreach (int n in counts) // interleaved, so a noisy neighbour hurts both sides alike
                {
                    var separate = await Measure($"{n} separate watchers", dir, n, clip, n == 1 ? detectorOne : detector, rules, shared: false);
                    var shared = await Measure($"{n} cameras, one watcher", dir, n, clip, n == 1 ? detectorOne : detector, rules, shared: true);
                    Console.WriteLine(separate);
                    Console.WriteLine(shared);
                    all[n].Add((separate, shared));
                }
            Console.WriteLine($"medians of {rounds} rounds (load average now {BenchAssets.LoadAverage()}); goal: {Fps:0} fps per camera, p95 frame->alert <= 250 ms, no camera starved");
            foreach (int n in counts)
            {
                var rs = all[n];
                string Line(string side, Func<(Result Separate, Result Shared), Result> pick) =>
                    $"  {n} cameras {side,-9} per camera {BenchAssets.Median(rs.Select(x => pick(x).MedianCameraFps)):0.0} fps (slowest camera {BenchAssets.Median(rs.Select(x => pick(x).MinCameraFps)):0.0});" +
                    $" lowest share of frames {BenchAssets.Median(rs.Select(x => pick(x).MinShare)):P0}; frame p95 {BenchAssets.Median(rs.Select(x => pick(x).FrameP95)):0} ms;" +
                    $" frame->alert p95 {BenchAssets.Median(rs.Select(x => pick(x).AlertP95)):0} ms; frames/pass {BenchAssets.Median(rs.Select(x => pick(x).FramesPerPass)):0.0}; CPU {BenchAssets.Median(rs.Select(x => pick(x).Cores)):0.00} cores";
                Console.WriteLine(Line("shared", x => x.Shared));
                Console.WriteLine(Line("separate", x => x.Separate));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<Result> Measure(string name, string dir, int cameras, string clip, IFrameAnalyzer analyzer, RuleSet rules, bool shared)
    {
        var workspace = Path.Combine(dir, $"ws-{Guid.NewGuid():N}");
        var options = new WatchOptions { Workspace = workspace, Motion = null, PassBudget = PassBudget };
        var sources = Enumerable.Range(0, cameras).Select(i => new WatchCamera($"cam{i + 1}", new FfmpegSource(clip, new SourceOptions { RealTime = true }))).ToList();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        IReadOnlyList<WatchStats> stats = shared
            ? await new WatchService().RunAsync(sources, analyzer, rules, options)
            : await Task.WhenAll(sources.Select(s => new WatchService().RunAsync([s], analyzer, rules, options with { Workspace = workspace + s.Name })
                .ContinueWith(t => t.Result[0], TaskScheduler.Default)));
        var wall = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var shares = stats.Select(s => s.FramesIn == 0 ? 0 : (double)s.Processed / s.FramesIn).ToList();
        var fps = stats.Select(s => s.Processed / wall).ToList();
        var alerts = stats.Where(s => s.AlertLatency.Count > 0).ToList();
        return new Result(name, fps.Min(), BenchAssets.Median(fps), shares.Min(), shares.Max(),
            BenchAssets.Median(stats.Select(s => s.FrameLatency.P50Ms)), stats.Max(s => s.FrameLatency.P95Ms),
            alerts.Count == 0 ? double.NaN : alerts.Max(s => s.AlertLatency.P95Ms), alerts.Sum(s => s.AlertLatency.Count),
            stats.Average(s => s.MeanBatch), cpuSeconds / wall);
    }

    /// <summary>A textured backdrop with a person-sized block walking across, 5 fps.</summary>
    internal static async Task MakeClip(string path, int w, int h, double seconds)
    {
        await using var writer = FfmpegVideoWriter.Create(path, w, h, Fps);
        int n = (int)(seconds * Fps);
        for (int i = 0; i < n; i++) await writer.WriteAsync(Scene(w, h, (double)i / n));
        await writer.CompleteAsync();
    }

    private static RgbImage Scene(int w, int h, double t)
    {
        var px = new byte[w * h * 3];
        int bx = (int)(t * w * 0.7), bw = w / 6, by = h / 4, bh = h / 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                bool block = x >= bx && x < bx + bw && y >= by && y < by + bh;
                byte tex = (byte)(90 + ((x / 16 + y / 16) % 2) * 40);
                px[i] = block ? (byte)200 : tex; px[i + 1] = block ? (byte)120 : tex; px[i + 2] = block ? (byte)90 : (byte)(tex + 10);
            }
        return new RgbImage(w, h, px);
    }
}

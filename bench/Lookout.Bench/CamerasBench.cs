using System.Diagnostics;
using Lookout.Core.Imaging;
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
/// p95 frame→alert ≤ 250 ms and no camera starved. Options: <c>--seconds S</c> (default 12), <c>--cameras 1,4,8</c>.
/// </summary>
public static class CamerasBench
{
    private const double Fps = 5;

    public static async Task Run(string[] args)
    {
        double seconds = args.Contains("--seconds") ? double.Parse(args[Array.IndexOf(args, "--seconds") + 1]) : 12;
        int[] counts = args.Contains("--cameras") ? args[Array.IndexOf(args, "--cameras") + 1].Split(',').Select(int.Parse).ToArray() : [1, 4, 8];
        var dir = Directory.CreateTempSubdirectory("lookout-camerasbench").FullName;
        try
        {
            var clip = Path.Combine(dir, "camera.mp4");
            await MakeClip(clip, 1280, 720, seconds);
            using var detector = new DetectorFrameAnalyzer(CatalogObjectDetector.Open());
            var rules = RulesLoader.Parse("rules:\n  - name: bench\n    source: detector\n    when: { label: any, min_score: 0 }\n    cooldown: 1s\n    actions: [snapshot]\n");
            Console.WriteLine($"cameras: 720p clips at {Fps:0} fps played live for {seconds:0} s, detector {detector.Name}, {Environment.ProcessorCount} cores, load average {BenchAssets.LoadAverage()}");
            foreach (int n in counts)
            {
                var separate = await Measure($"{n} separate watchers", dir, n, clip, detector, rules, shared: false);
                var shared = await Measure($"{n} cameras, one watcher", dir, n, clip, detector, rules, shared: true);
                Console.WriteLine(separate);
                Console.WriteLine(shared);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> Measure(string name, string dir, int cameras, string clip, IFrameAnalyzer analyzer, RuleSet rules, bool shared)
    {
        var workspace = Path.Combine(dir, $"ws-{Guid.NewGuid():N}");
        var options = new WatchOptions { Workspace = workspace, Motion = null };
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
        double p50 = BenchAssets.Median(stats.Select(s => s.FrameLatency.P50Ms));
        double p95 = stats.Max(s => s.FrameLatency.P95Ms);
        var alerts = stats.Where(s => s.AlertLatency.Count > 0).ToList();
        string alert = alerts.Count == 0 ? "no alerts" : $"frame->alert p95 {alerts.Max(s => s.AlertLatency.P95Ms):0} ms (n={alerts.Sum(s => s.AlertLatency.Count)})";
        return $"  {name,-26} processed {stats.Sum(s => s.Processed) / wall,5:0.0} fps of {stats.Sum(s => s.FramesIn) / wall:0.0} in; per camera {shares.Min():P0}..{shares.Max():P0} of frames;" +
               $" frame latency p50 {p50:0} ms p95 (worst camera) {p95:0} ms; {alert}; frames/pass {stats.Average(s => s.MeanBatch):0.0}; CPU {cpuSeconds / wall:0.00} cores (load {BenchAssets.LoadAverage()})";
    }

    /// <summary>A textured backdrop with a person-sized block walking across, 5 fps.</summary>
    private static async Task MakeClip(string path, int w, int h, double seconds)
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

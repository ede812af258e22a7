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
/// More cameras per box: 1, 4 and 8 live cameras (generated 720p clips played in real time at 5 fps, one ffmpeg per
/// camera, drop-oldest queues) watched by the default detector, in one process:
/// 1. constant motion, no motion gate, so every frame goes through the model (the worst case):
///    a. shared: one <see cref="WatchService"/> for all cameras (one scheduler, frames batched, round-robin);
///    b. baseline in the same run: one independent watcher per camera in the same process, each calling the model
///       itself (what running a watcher per camera gives);
/// 2. a home's cameras as <c>lookout watch</c> runs them (motion gate on, its default): a still scene that someone
///    (a group photo, so the detector finds people) walks through for a quarter of the clip, each camera at another
///    time, so a few cameras see motion at once while the others only cost decoding and the motion check.
/// Printed per camera count: frames processed per camera (min..max share of frames in handled, i.e. analysed or
/// found still by the gate: a starved camera shows up as a low minimum), frame latency p50/p95, frame→alert p95, mean
/// frames per pass, CPU. Goal: 8 cameras × 5 fps with p95 frame→alert ≤ 250 ms and no camera starved. Options:
/// <c>--seconds S</c> (default 12), <c>--cameras 1,4,8</c>, <c>--pass-budget-ms MS</c> (default: the watcher's; 0 = off),
/// <c>--rounds R</c> (default 3; interleaved, medians printed at the end), <c>--walk-share F</c> (default 0.25),
/// <c>--no-motion-scenario</c>.
/// </summary>
public static class CamerasBench
{
    internal const double Fps = 5;
    private static TimeSpan? PassBudget = new WatchOptions().PassBudget;

    /// <summary>One watcher run: per-camera processed fps (slowest camera), share of frames, latencies, batching, CPU.</summary>
    private sealed record Result(string Name, double MinCameraFps, double MedianCameraFps, double MinShare, double MaxShare,
        double FrameP50, double FrameP95, double AlertP95, int Alerts, double FramesPerPass, double Cores)
    {
        /// <summary>Share of the frames in that went through the model (below 1 when the motion gate held still frames back).</summary>
        public double Analysed { get; init; } = 1;

        public override string ToString() => // InvariantGlobalization: numbers print with a dot
            $"  {Name,-34} per camera {MedianCameraFps:0.0} fps handled (slowest {MinCameraFps:0.0}), {MinShare:P0}..{MaxShare:P0} of frames in, {Analysed:P0} through the model;" +
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
            bool motionScenario = !args.Contains("--no-motion-scenario");
            if (args.Contains("--walk-share")) WalkShare = double.Parse(args[Array.IndexOf(args, "--walk-share") + 1], CultureInfo.InvariantCulture);
            var walks = motionScenario ? await MakeWalkClips(dir, 1280, 720, seconds) : [];
            // As 'lookout watch' opens it: one camera may use every core in its pass; several cameras get one pass per
            // core, each with one ONNX Runtime thread.
            using var detectorOne = new DetectorFrameAnalyzer(CatalogObjectDetector.Open());
            using var detector = new DetectorFrameAnalyzer(CatalogObjectDetector.Open(runner: new OnnxRunnerOptions { IntraOpThreads = 1 }));
            var rules = RulesLoader.Parse("rules:\n  - name: bench\n    source: detector\n    when: { label: any, min_score: 0 }\n    cooldown: 1s\n    actions: [snapshot]\n");
            Console.WriteLine($"cameras: 720p clips at {Fps:0} fps played live for {seconds:0} s, detector {detector.Name}, pass budget {(PassBudget is { } b ? $"{b.TotalMilliseconds:0} ms" : "off")}, {Environment.ProcessorCount} cores, load average {BenchAssets.LoadAverage()}; {rounds} interleaved rounds");
            var all = counts.ToDictionary(n => n, _ => new List<(Result Separate, Result Shared)>());
            var home = counts.ToDictionary(n => n, _ => new List<Result>());
            for (int r = 0; r < rounds; r++)
                foreach (int n in counts) // interleaved, so a noisy neighbour hurts both sides alike
                {
                    var separate = await Measure($"{n} separate watchers", dir, n, clip, n == 1 ? detectorOne : detector, rules, shared: false);
                    var shared = await Measure($"{n} cameras, one watcher", dir, n, clip, n == 1 ? detectorOne : detector, rules, shared: true);
                    Console.WriteLine(separate);
                    Console.WriteLine(shared);
                    all[n].Add((separate, shared));
                    if (!motionScenario) continue;
                    var gated = await Measure($"{n} cameras, motion gate, walks", dir, n, walks, n == 1 ? detectorOne : detector, rules, shared: true, motion: true);
                    Console.WriteLine(gated);
                    home[n].Add(gated);
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
            if (motionScenario)
            {
                Console.WriteLine($"a home's cameras (motion gate on, someone walks through {WalkShare:P0} of each clip, cameras at different times), medians:");
                foreach (int n in counts)
                {
                    var rs = home[n];
                    Console.WriteLine($"  {n} cameras, one watcher: per camera {BenchAssets.Median(rs.Select(x => x.MedianCameraFps)):0.0} fps handled (slowest camera {BenchAssets.Median(rs.Select(x => x.MinCameraFps)):0.0});" +
                        $" lowest share of frames handled {BenchAssets.Median(rs.Select(x => x.MinShare)):P0}; through the model {BenchAssets.Median(rs.Select(x => x.Analysed)):P0};" +
                        $" frame p95 {BenchAssets.Median(rs.Select(x => x.FrameP95)):0} ms; frame->alert p95 {BenchAssets.Median(rs.Select(x => x.AlertP95)):0} ms (alerts {BenchAssets.Median(rs.Select(x => (double)x.Alerts)):0});" +
                        $" frames/pass {BenchAssets.Median(rs.Select(x => x.FramesPerPass)):0.0}; CPU {BenchAssets.Median(rs.Select(x => x.Cores)):0.00} cores");
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Task<Result> Measure(string name, string dir, int cameras, string clip, IFrameAnalyzer analyzer, RuleSet rules, bool shared) =>
        Measure(name, dir, cameras, [clip], analyzer, rules, shared, motion: false);

    /// <param name="clips">Camera i plays clips[i % count].</param>
    /// <param name="motion">The watcher's default motion gate; off, every frame goes through the model.</param>
    private static async Task<Result> Measure(string name, string dir, int cameras, IReadOnlyList<string> clips, IFrameAnalyzer analyzer, RuleSet rules,
        bool shared, bool motion)
    {
        var workspace = Path.Combine(dir, $"ws-{Guid.NewGuid():N}");
        var options = new WatchOptions { Workspace = workspace, PassBudget = PassBudget };
        if (!motion) options = options with { Motion = null };
        var sources = Enumerable.Range(0, cameras).Select(i => new WatchCamera($"cam{i + 1}", new FfmpegSource(clips[i % clips.Count], new SourceOptions { RealTime = true }))).ToList();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        IReadOnlyList<WatchStats> stats = shared
            ? await new WatchService().RunAsync(sources, analyzer, rules, options)
            : await Task.WhenAll(sources.Select(s => new WatchService().RunAsync([s], analyzer, rules, options with { Workspace = workspace + s.Name })
                .ContinueWith(t => t.Result[0], TaskScheduler.Default)));
        var wall = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        var shares = stats.Select(s => s.FramesIn == 0 ? 0 : (double)(s.Processed + s.SkippedByMotion) / s.FramesIn).ToList();
        var fps = stats.Select(s => (s.Processed + s.SkippedByMotion) / wall).ToList();
        var alerts = stats.Where(s => s.AlertLatency.Count > 0).ToList();
        return new Result(name, fps.Min(), BenchAssets.Median(fps), shares.Min(), shares.Max(),
            BenchAssets.Median(stats.Select(s => s.FrameLatency.P50Ms)), stats.Max(s => s.FrameLatency.P95Ms),
            alerts.Count == 0 ? double.NaN : alerts.Max(s => s.AlertLatency.P95Ms), alerts.Sum(s => s.AlertLatency.Count),
            stats.Average(s => s.MeanBatch), cpuSeconds / wall)
        {
            Analysed = stats.Sum(s => s.Processed) / (double)Math.Max(1, stats.Sum(s => s.FramesIn)),
        };
    }

    /// <summary>Share of each walk clip in which someone is in view.</summary>
    private static double WalkShare = 0.25;
    private const int WalkClips = 4;

    /// <summary>
    /// <see cref="WalkClips"/> clips of a still textured scene that a group photo (people, so the detector has
    /// something to find; a plain block without the sample photos) crosses during <see cref="WalkShare"/> of the clip,
    /// clip k starting its walk at k/<see cref="WalkClips"/> of the clip.
    /// </summary>
    private static async Task<IReadOnlyList<string>> MakeWalkClips(string dir, int w, int h, double seconds)
    {
        var walker = CameraCpuBench.SamplePhotos() is [var photo, ..]
            ? ImageDecoder.Decode(ImageSource.FromFile(photo), new ImageTarget(w / 3, h / 2, ImageFit.Stretch)).Pixels
            : new RgbImage(w / 6, h / 2, Enumerable.Repeat(new byte[] { 200, 120, 90 }, w / 6 * (h / 2)).SelectMany(p => p).ToArray());
        var backdrop = Scene(w, h, -1);
        int n = (int)(seconds * Fps), inView = Math.Max(2, (int)(n * WalkShare));
        var clips = new List<string>();
        for (int k = 0; k < WalkClips; k++)
        {
            var path = Path.Combine(dir, $"walk{k}.mp4");
            await using var writer = FfmpegVideoWriter.Create(path, w, h, Fps);
            int start = k * n / WalkClips;
            for (int i = 0; i < n; i++)
            {
                int step = i - start;
                await writer.WriteAsync(step >= 0 && step < inView ? Paste(backdrop, walker, (w - walker.Width) * step / (inView - 1), h / 4) : backdrop);
            }
            await writer.CompleteAsync();
            clips.Add(path);
        }
        return clips;
    }

    private static RgbImage Paste(RgbImage backdrop, RgbImage sprite, int left, int top)
    {
        var px = (byte[])backdrop.Pixels.Clone();
        for (int y = 0; y < sprite.Height && top + y < backdrop.Height; y++)
            Buffer.BlockCopy(sprite.Pixels, y * sprite.Width * 3, px, ((top + y) * backdrop.Width + left) * 3, Math.Min(sprite.Width, backdrop.Width - left) * 3);
        return new RgbImage(backdrop.Width, backdrop.Height, px);
    }

    /// <summary>A textured backdrop with a person-sized block walking across, 5 fps (t &lt; 0: the backdrop alone).</summary>
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
        int bx = t < 0 ? -w : (int)(t * w * 0.7), bw = w / 6, by = h / 4, bh = h / 2;
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

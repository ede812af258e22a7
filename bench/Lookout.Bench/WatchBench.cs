using System.Diagnostics;
using System.Globalization;
using Lookout.Core.Export;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Video;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Watch.Sources;
using Lookout.Core.Models.Heads;

namespace Lookout.Bench;

/// <summary>
/// The watcher end to end on generated 720p and 1080p clips with a real-size classifier (the default catalog
/// backbone + a 3-class head, exported as Lookout exports any model):
/// 1. throughput: the file read as fast as possible, lossless (processed fps = decode + fit + inference);
/// 2. camera: the same file delivered at 15 fps in real time (ffmpeg -re), drop-oldest queues; share of frames
///    dropped, frame latency (arrival to analysis done) and frame-to-alert latency (arrival to snapshot + event row).
/// Baseline in the same run: the model call alone (fit + inference) per frame, to show the pipeline's overhead.
/// </summary>
public static class WatchBench
{
    private const double CameraFps = 15;
    private const double Seconds = 8;

    public static async Task Run()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-watchbench").FullName;
        try
        {
            var modelPath = BuildClassifier(dir, out var backboneName);
            using var analyzer = ClassifierFrameAnalyzer.Load(modelPath);
            Console.WriteLine($"watch: {Environment.ProcessorCount} cores, clips {Seconds:0} s at {CameraFps:0} fps, source max side 1280 (1080p is scaled by ffmpeg)");
            using var detector = new DetectorFrameAnalyzer(CatalogObjectDetector.Open());
            foreach (var (title, a) in new (string, IFrameAnalyzer)[]
                     { ($"classifier = {backboneName} + 3-class head ({analyzer.Model.Spec.Width} px)", analyzer), ("default detector = nanodet (416 px)", detector) })
            {
                Console.WriteLine($" {title}");
                foreach (var (name, w, h) in new[] { ("720p", 1280, 720), ("1080p", 1920, 1080) })
                {
                    var clip = Path.Combine(dir, $"{name}.mp4");
                    if (!File.Exists(clip)) await MakeClip(clip, w, h);
                    var inferMs = ModelCallMs(a, clip, w, h);
                    var decodeFps = await SourceOnlyFps(clip);
                    var fast = await Watch(a, clip, realTime: false, Path.Combine(dir, $"ws-{name}-fast-{a.Name}"));
                    var live = await Watch(a, clip, realTime: true, Path.Combine(dir, $"ws-{name}-live-{a.Name}"));
                    Console.WriteLine(FormattableString.Invariant(
                        $"  {name,-5} source alone {decodeFps:0} fps, model call (fit+infer) {inferMs:0.0} ms/frame = {1000 / inferMs:0} fps | watch throughput {fast.ProcessedPerSecond:0.0} fps processed ({fast.Processed} frames)"));
                    Console.WriteLine(FormattableString.Invariant(
                        $"  {name,-5} camera {CameraFps:0} fps: dropped {live.DroppedShare:P1} ({live.Dropped}/{live.FramesIn}), frame latency p50 {live.FrameLatency.P50Ms:0} ms p95 {live.FrameLatency.P95Ms:0} ms, frame-to-alert p50 {live.AlertLatency.P50Ms:0} ms p95 {live.AlertLatency.P95Ms:0} ms (n={live.AlertLatency.Count})"));
                }
            }
            var clip720 = Path.Combine(dir, "720p.mp4");
            var plain = await new VideoService().RunAsync(clip720, analyzer, new VideoOptions { SampleFps = null });
            var annotated = await new VideoService().RunAsync(clip720, analyzer, new VideoOptions
            {
                SampleFps = null, AnnotatedVideoPath = Path.Combine(dir, "annotated.mp4"), ContactSheetPath = Path.Combine(dir, "sheet.png"),
            });
            Console.WriteLine(FormattableString.Invariant(
                $"  video (offline, 720p, every frame): timeline {plain.AnalysedPerSecond:0.0} fps; with annotated MP4 + contact sheet {annotated.AnalysedPerSecond:0.0} fps"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<WatchStats> Watch(IFrameAnalyzer analyzer, string clip, bool realTime, string workspace)
    {
        // Fires about once a second (any label, 1 s cooldown) so frame-to-alert latency has samples.
        var source = analyzer.Kinds.HasFlag(AnalyzerKinds.Detector) ? "detector" : "classifier";
        var rules = RulesLoader.Parse($"rules:\n  - name: bench\n    source: {source}\n    when: {{ label: any, min_score: 0 }}\n    cooldown: 1s\n    actions: [snapshot]\n");
        var frames = new FfmpegSource(clip, new SourceOptions { RealTime = realTime });
        return await new WatchService().RunAsync(frames, analyzer, rules, new WatchOptions { Workspace = workspace, Motion = null });
    }

    /// <summary>Frames per second the source delivers with nothing downstream (decode + scale + pipe).</summary>
    private static async Task<double> SourceOnlyFps(string clip)
    {
        var sw = Stopwatch.StartNew();
        long n = 0;
        await foreach (var _ in new FfmpegSource(clip).ReadAsync(null, CancellationToken.None)) n++;
        return n / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Median of the model call on decoded frames of the clip (the same frames the watcher sees).</summary>
    private static double ModelCallMs(IFrameAnalyzer analyzer, string clip, int w, int h)
    {
        var frame = Scene(Math.Min(w, 1280), Math.Min(h, 720), 0.5);
        for (int i = 0; i < 3; i++) analyzer.Analyze(frame);
        var times = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            var sw = Stopwatch.StartNew();
            analyzer.Analyze(frame);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static string BuildClassifier(string dir, out string backboneName)
    {
        string backbonePath;
        try
        {
            backbonePath = ModelCatalog.Default().GetPath(KnownModels.DefaultBackbone.Name);
            backboneName = KnownModels.DefaultBackbone.Name;
        }
        catch (FileNotFoundException)
        {
            backbonePath = GeneratedBackbone.Write(Path.Combine(dir, "generated.onnx")).OnnxPath;
            backboneName = "generated backbone (pretrained models not fetched)";
        }
        var backbone = Backbone.FromOnnx(backbonePath);
        var rng = new Random(1);
        int d = backbone.EmbeddingDim;
        var weights = Enumerable.Range(0, 3 * d).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.1f).ToArray();
        var head = new HeadWeights(["person", "cat", "background"], new float[d], Enumerable.Repeat(1f, d).ToArray(),
            [new DenseLayer(d, 3, weights, new float[3])]);
        var path = Path.Combine(dir, "bench-classifier.onnx");
        ExportService.Export(backbone, head, "watchbench", path);
        return path;
    }

    private static async Task<string> MakeClip(string path, int w, int h)
    {
        await using var writer = FfmpegVideoWriter.Create(path, w, h, CameraFps);
        int n = (int)(Seconds * CameraFps);
        for (int i = 0; i < n; i++) await writer.WriteAsync(Scene(w, h, (double)i / n));
        await writer.CompleteAsync();
        return path;
    }

    /// <summary>A textured backdrop with a red block crossing it (position t in 0..1).</summary>
    private static RgbImage Scene(int w, int h, double t)
    {
        var px = new byte[w * h * 3];
        int bx = (int)(t * w * 0.7), bw = w / 4, by = h / 3, bh = h / 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 3;
                bool block = x >= bx && x < bx + bw && y >= by && y < by + bh;
                byte tex = (byte)(90 + ((x / 16 + y / 16) % 2) * 40);
                px[i] = block ? (byte)220 : tex; px[i + 1] = block ? (byte)40 : tex; px[i + 2] = block ? (byte)40 : (byte)(tex + 10);
            }
        return new RgbImage(w, h, px);
    }
}

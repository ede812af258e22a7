using System.Diagnostics;
using Lookout.Core;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Pipelines.Detect;
using Lookout.Core.Training.Detection;

namespace Lookout.Bench;

/// <summary>
/// <c>train --task detect</c> end to end on 300 generated boxed images (100 scenes × 3 frames, 320×240): training
/// images/s, minutes until the exported detector is usable (import → split → train → export → test mAP), the mAP it
/// reached, and inference ms/frame of the trained detector (decode + NMS in its graph) at batch 1 and batch 8 against
/// the COCO NanoDet (C# decode) measured in the same run. Options: <c>--epochs N</c> (default: the training default, chosen by data size),
/// <c>--input-size S</c>.
/// </summary>
public static class DetectTrainBench
{
    private const int Frames = 40;

    public static async Task Run(string[] args)
    {
        var defaults = new DetectorTrainOptions();
        var options = defaults with
        {
            Epochs = Arg(args, "--epochs") ?? defaults.Epochs,
            InputSize = Arg(args, "--input-size") ?? defaults.InputSize,
        };
        var work = Directory.CreateTempSubdirectory("lookout-bench-detect-").FullName;
        try
        {
            var data = Path.Combine(work, "scenes");
            BoxScenesGenerator.Generate(data, new BoxScenesOptions { Scenes = 100, FramesPerScene = 3, Seed = 5 });
            var loadBefore = LoadAverage();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var result = await DetectTrainPipeline.RunAsync(new DetectTrainRequest
            {
                DataDir = data, Workspace = new Workspace(Path.Combine(work, ".lookout")), Options = options, EvaluateBaseline = false,
            });
            clock.Stop();
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            int epochs = result.Training.History.Count;
            double imagesPerSecond = result.TrainImages * (double)epochs / result.TrainTime.TotalSeconds;
            Console.WriteLine($"load average before {loadBefore}, after {LoadAverage()} (2 cores; a shared machine)");
            Console.WriteLine($"train {result.TrainImages} / val {result.ValImages} / test {result.TestImages} images, {epochs} epochs{(options.Epochs is null ? " (the default: chosen by data size)" : "")} at {options.InputSize}px letterboxed: " +
                $"{imagesPerSecond:F1} training images/s; usable detector after {clock.Elapsed.TotalMinutes:F1} min (process CPU {cpuUsed.TotalMinutes:F1} min); " +
                $"test mAP@0.5 {result.Test?.Map.Map50:0.000}, mAP@0.5:0.95 {result.Test?.Map.Map50To95:0.000}");

            var frame = new RgbImage(320, 240, Enumerable.Range(0, 320 * 240 * 3).Select(i => (byte)(i * 13 % 251)).ToArray());
            using var coco = DetectorService.Open("nanodet");
            using var trained = DetectorService.Open(result.Run.Dir);
            double cocoMs = PerFrame(coco, frame, 1), trainedMs = PerFrame(trained, frame, 1), trainedBatch = PerFrame(trained, frame, 8);
            Console.WriteLine($"inference, ms/frame (median of {Frames}): COCO nanodet {coco.Spec.Width}px batch 1 {cocoMs:F1}; " +
                $"trained {trained.Spec.Width}px in-graph decode+NMS batch 1 {trainedMs:F1} (x{trainedMs / cocoMs:F2}), batch 8 {trainedBatch:F1} (x{trainedBatch / cocoMs:F2})");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Median ms per frame over <see cref="Frames"/> frames, <paramref name="batch"/> frames per call (the frame fitted by each model's own spec once).</summary>
    private static double PerFrame(DetectorService detector, RgbImage frame, int batch)
    {
        var input = ImageDecoder.Fit(frame, ImageTarget.For(detector.Spec));
        var inputs = Enumerable.Repeat(input, batch).ToList();
        var sizes = Enumerable.Repeat((frame.Width, frame.Height), batch).ToList();
        detector.Detect(inputs, sizes);
        var times = new List<double>();
        for (int i = 0; i < Frames / batch; i++)
        {
            var sw = Stopwatch.StartNew();
            detector.Detect(inputs, sizes);
            times.Add(sw.Elapsed.TotalMilliseconds / batch);
        }
        return times.Order().ElementAt(times.Count / 2);
    }

    /// <summary>1-, 5- and 15-minute load averages (the machine is shared: numbers are read against it).</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static int? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : null;
    }
}

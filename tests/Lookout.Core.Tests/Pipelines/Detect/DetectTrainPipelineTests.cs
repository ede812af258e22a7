using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Pipelines;
using Lookout.Core.Pipelines.Detect;
using Lookout.Core.Training.Detection;
using Xunit.Abstractions;

namespace Lookout.Core.Tests.Pipelines.Detect;

/// <summary>
/// The whole <c>train --task detect</c> flow on generated scenes with known boxes: the fine-tuned NanoDet must find the
/// three shapes on held-out scenes (mAP@0.5 ≥ 0.7) far better than the untrained head, and its exported file must be
/// usable by name through <see cref="DetectorService"/> like the COCO model.
/// </summary>
public sealed class DetectTrainPipelineTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lookout-detect-").FullName;

    public static DetectorTrainOptions FastOptions => new() { Epochs = 6, BatchSize = 8, InputSize = 192, LearningRate = 4e-3, Seed = 7 };

    private sealed class Messages : IPipelineObserver
    {
        public List<string> Lines { get; } = [];
        public void OnMessage(PipelinePhase phase, string message) { lock (Lines) Lines.Add(message); }
        public void OnWarning(PipelinePhase phase, string message) { lock (Lines) Lines.Add("warning: " + message); }
    }

    [Fact]
    public async Task GeneratedScenes_FineTunedDetectorReachesMap50AtLeast07_FarAboveTheUntrainedHead()
    {
        var data = Path.Combine(_work, "scenes");
        BoxScenesGenerator.Generate(data, new BoxScenesOptions { Scenes = 36, FramesPerScene = 3, Seed = 11 });
        var observer = new Messages();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await DetectTrainPipeline.RunAsync(new DetectTrainRequest
        {
            DataDir = data, Workspace = new Workspace(Path.Combine(_work, ".lookout")), Options = FastOptions,
        }, observer);
        foreach (var l in observer.Lines) output.WriteLine(l);
        output.WriteLine($"train {result.TrainImages} val {result.ValImages} test {result.TestImages}; train time {result.TrainTime.TotalSeconds:0}s, total {clock.Elapsed.TotalSeconds:0}s");
        var test = Assert.IsType<Lookout.Core.Evaluation.Detection.DetectionEvaluation>(result.Test);
        var baseline = Assert.IsType<Lookout.Core.Evaluation.Detection.MapResult>(result.Baseline);
        output.WriteLine($"mAP@0.5 {baseline.Map50:0.000} -> {test.Map.Map50:0.000}; mAP@0.5:0.95 {baseline.Map50To95:0.000} -> {test.Map.Map50To95:0.000}");
        foreach (var c in test.Map.Classes) output.WriteLine($"  {c.Label}: {c.TruthBoxes} boxes AP50 {c.Ap50:0.000} AP50-95 {c.Ap50To95:0.000}");

        Assert.True(test.Map.Map50 >= 0.7, $"mAP@0.5 {test.Map.Map50:0.000}");
        Assert.True(test.Map.Map50 >= baseline.Map50 + 0.4, $"trained {test.Map.Map50:0.000} vs untrained {baseline.Map50:0.000}");
        Assert.True(test.Map.Map50To95 > baseline.Map50To95 + 0.2);

        // The run folder has what a classification run has, plus the detector's evaluation artefacts.
        foreach (var f in new[] { "options.json", "manifest.json", "metrics.tsv", "log.txt", "model.onnx", "eval.json", "eval.md", "pr.png", "detect.json" })
            Assert.True(File.Exists(Path.Combine(result.Run.Dir, f)), f);
        Assert.Equal(FastOptions.Epochs, File.ReadAllLines(result.Run.MetricsPath).Length - 1);
        // Only a few boxes per class here: the warning says so.
        Assert.Contains(result.Warnings, w => w.StartsWith("too few boxes", StringComparison.Ordinal));

        // One exported file, opened by path or run folder, labels and input size from its metadata.
        using var detector = DetectorService.Open(result.Run.Dir);
        Assert.True(detector.IsTrained);
        Assert.Equal(BoxScenesGenerator.AllClasses, detector.Labels);
        Assert.Equal(192, detector.Spec.Width);
        var image = result.Data.Images.First(i => i.Boxes.Count > 0 && test.Samples.Any(s => s.Name == i.Path));
        var found = detector.DetectFile(image.Path);
        Assert.True(found.Ok);
        foreach (var truth in image.Boxes)
            Assert.Contains(found.Detections, d => d.Label == truth.Label && d.Box.IoU(truth.Box) >= 0.5f);
    }

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }
}

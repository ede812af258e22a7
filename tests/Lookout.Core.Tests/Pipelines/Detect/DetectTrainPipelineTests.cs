using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Inference.Scoring;
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

    // Sized for CI's 2 cores: 128-px input and 4 epochs (was 192 px, 6 epochs: process CPU 66 s -> 32 s, mAP@0.5 0.953 -> 0.933).
    public static DetectorTrainOptions FastOptions => new() { Epochs = 4, BatchSize = 8, InputSize = 128, LearningRate = 4e-3, Seed = 7 };

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
        // CPU seconds of this process too: on a shared, loaded machine they compare configurations better than wall time.
        output.WriteLine($"train {result.TrainImages} val {result.ValImages} test {result.TestImages}; train time {result.TrainTime.TotalSeconds:0}s, total {clock.Elapsed.TotalSeconds:0}s, process CPU {System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:0}s");
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
        Assert.Equal(FastOptions.InputSize, detector.Spec.Width);
        // Every held-out image through the exported file (decode + NMS in its graph): most true boxes are found, and a
        // recipe over the user's own classes (count and score) gives the true total on most images.
        var recipe = ScoreRecipeParser.Parse("min_score: 0.3\npoints:\n  disc: 1\n  square: 10\n  triangle: 100\nverdicts:\n  - {min: 1, say: something}\n  - {say: nothing}");
        var scorer = new Scorer(recipe, detector.Labels, detector.Name);
        var held = result.Data.Images.Where(i => test.Samples.Any(s => s.Name == i.Path)).ToList();
        int truths = 0, hits = 0, exact = 0;
        foreach (var image in held)
        {
            var found = detector.DetectFile(image.Path, new DetectorOptions { MinScore = recipe.MinScore, ClassAgnosticNms = true });
            Assert.True(found.Ok);
            truths += image.Boxes.Count;
            hits += image.Boxes.Count(t => found.Detections.Any(d => d.Label == t.Label && d.Box.IoU(t.Box) >= 0.5f));
            var score = scorer.Score(found.Detections);
            double truthTotal = image.Boxes.Sum(b => b.Label switch { "disc" => 1, "square" => 10, _ => 100 });
            if (score.Total == truthTotal) exact++;
            else output.WriteLine($"  {Path.GetFileName(image.Path)}: truth {string.Join(",", image.Boxes.Select(b => b.Label))}; found {string.Join(",", found.Detections.Select(d => $"{d.Label} {d.Score:0.00}"))}");
            Assert.Equal(score.Total >= 1 ? "something" : "nothing", score.Verdict);
        }
        output.WriteLine($"held-out boxes found {hits}/{truths}; exact recipe totals {exact}/{held.Count}");
        Assert.True(hits >= 0.75 * truths, $"found {hits} of {truths} true boxes");
        Assert.True(exact >= 0.6 * held.Count, $"exact totals on {exact} of {held.Count} images");
    }

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
    }
}

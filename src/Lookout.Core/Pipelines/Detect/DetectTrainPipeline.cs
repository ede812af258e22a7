using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Evaluation.Detection;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Models;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Pipelines.Train;
using Lookout.Core.Runs;
using Lookout.Core.Training;
using Lookout.Core.Training.Detection;
using Lookout.Core.Training.FineTuning;

namespace Lookout.Core.Pipelines.Detect;

/// <summary>
/// <c>train --task detect</c>: import the boxes (YOLO, COCO or VOC), split by leakage group, size the shipped NanoDet's
/// head to the user's classes, fine-tune it (checkpoint every epoch), export one ONNX file, and evaluate it on the test
/// split (mAP per class, PR curves, galleries) next to the untrained head's score. The run folder is
/// <c>runs/detectN/</c>; <see cref="ResumeAsync"/> continues one that was stopped.
/// </summary>
public static class DetectTrainPipeline
{
    public const string BaseDetector = "nanodet";

    public static Task<DetectTrainResult> RunAsync(DetectTrainRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        Torch.TorchRuntime.EnsureTrainingPlatform();
        observer ??= NullPipelineObserver.Instance;
        request.Options.Validate();
        var (data, format) = Import(request.DataDir, request.Format, observer);
        var run = new RunStore(request.Workspace.RunsDir).Create("detect");
        var plan = new DetectPlan(Path.GetFullPath(request.DataDir), format, request.Options, request.ValFraction, request.TestFraction, request.EvaluateBaseline, Hash(data));
        run.WriteJson(Path.Combine(run.Dir, DetectPlan.FileName), plan);
        run.WriteJson(run.OptionsPath, request.Options);
        observer.OnMessage(PipelinePhase.Train, $"run {run.Id}: if it is interrupted, continue with 'lookout train --resume {run.Id}'");
        return run.RecordingFailureAsync(() => Task.Run(() => Execute(plan, data, run, observer, ct), ct));
    }

    /// <summary>Continues a stopped detect run from its last checkpoint (the data must not have changed).</summary>
    public static Task<DetectTrainResult> ResumeAsync(RunFolder run, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        Torch.TorchRuntime.EnsureTrainingPlatform();
        observer ??= NullPipelineObserver.Instance;
        var plan = ReadPlan(run) ?? throw new LookoutException($"run {run.Id} is not a detector run (no {DetectPlan.FileName})");
        var (data, _) = Import(plan.DataDir, plan.Format, observer);
        if (Hash(data) != plan.DatasetHash)
            throw new LookoutException($"the boxes changed since run {run.Id} started; start a new run instead of resuming");
        observer.OnMessage(PipelinePhase.Train, $"resuming detector run {run.Id}");
        return run.RecordingFailureAsync(() => Task.Run(() => Execute(plan, data, run, observer, ct), ct));
    }

    /// <summary>For each class, the COCO class it starts from: the one the options map it to, else the one it is by name.</summary>
    internal static IReadOnlyList<int?> StartingClasses(IReadOnlyList<string> classes, IReadOnlyDictionary<string, string>? startFrom) =>
        classes.Select(c => startFrom?.GetValueOrDefault(c) is { } coco && CocoLabels.Matching(coco) is { } mapped ? mapped : CocoLabels.Matching(c)).ToList();

    public static DetectPlan? ReadPlan(RunFolder run) => run.ReadJson<DetectPlan>(Path.Combine(run.Dir, DetectPlan.FileName));

    private static (BoxDataset, BoxFormat) Import(string dir, BoxFormat? format, IPipelineObserver observer)
    {
        var data = BoxDatasetImporter.Import(dir, format);
        observer.OnMessage(PipelinePhase.Scan, $"{data.Format} boxes: {data.Images.Count} images ({data.BackgroundImages} without boxes), {data.BoxCount} boxes, classes {string.Join(", ", data.Classes)}");
        foreach (var e in data.Errors) observer.OnWarning(PipelinePhase.Scan, $"{e.File}: {e.Reason}");
        // A video whose frames were written beside it as pictures (the studio does that) is read through them.
        static bool Unread(string video) => !Directory.EnumerateFiles(Path.GetDirectoryName(video)!, Path.GetFileNameWithoutExtension(video) + "_frame_*").Any();
        int videos = Directory.Exists(dir) ? ImageSizes.Files(dir).Where(MediaTypes.IsVideoPath).Count(Unread) : 0;
        if (videos > 0)
            observer.OnWarning(PipelinePhase.Scan, $"{videos} video file{(videos == 1 ? " is" : "s are")} not read: a detector trains on boxed pictures; " +
                "add videos in the studio (their frames become pictures to box) or box frames exported by another tool");
        if (data.BoxCount == 0) throw new LookoutException($"no usable boxes in {dir}" + (data.Errors.Count > 0 ? $" ({data.Errors.Count} annotation errors)" : ""));
        return (data, data.Format);
    }

    private static async Task<DetectTrainResult> Execute(DetectPlan plan, BoxDataset data, RunFolder run, IPipelineObserver observer, CancellationToken ct)
    {
        var options = plan.Options;
        var warnings = new List<string>();
        using var log = new RunLog(run.LogPath);
        using var metrics = MetricsTsvWriter.Append(run.MetricsPath);
        var (splits, splitByTime) = BoxSplit.Assign(data.Images, plan.DataDir, options.Seed, plan.ValFraction, plan.TestFraction);
        List<BoxedImage> Of(Split s) => data.Images.Where(i => splits[i.Path] == s).ToList();
        var (train, val, test) = (Of(Split.Train), Of(Split.Val), Of(Split.Test));
        int epochs = options.EpochsFor(train.Count);
        var events = new RunEvents(observer, new CompositeObserver(log, metrics), PipelinePhase.FineTune, epochs);
        void Warn(string w) { warnings.Add(w); events.Warning(PipelinePhase.Split, w); }

        events.Message(PipelinePhase.Split, $"split by source: train {train.Count}, val {val.Count}, test {test.Count} images");
        var trainBoxes = data.Classes.Select(c => (c, train.Sum(i => i.Boxes.Count(b => b.Label == c)))).ToList();
        foreach (var w in DetectionReportWriter.FewBoxWarnings(trainBoxes, "training boxes")) Warn(w);
        foreach (var video in splitByTime)
            Warn($"only {(splitByTime.Count == 1 ? "one video" : $"{splitByTime.Count} videos")} and no other sources: the frames of {video} were split by time " +
                 "(earliest train, then val, then test); neighbouring frames look alike, so the test mAP is optimistic: box frames of another video for an honest one");
        if (test.Count == 0) Warn("no test images: the detector is not evaluated (add data or a test/ folder)");
        run.WriteJson(run.ManifestPath, new
        {
            runId = run.Id, created = DateTimeOffset.UtcNow, task = "detect", detector = BaseDetector, dataDir = plan.DataDir, format = plan.Format.ToString(),
            datasetHash = plan.DatasetHash, labels = data.Classes, seed = options.Seed, code = CodeVersion.Current,
            splits = new { train = train.Select(i => Path.GetRelativePath(plan.DataDir, i.Path)), val = val.Select(i => Path.GetRelativePath(plan.DataDir, i.Path)), test = test.Select(i => Path.GetRelativePath(plan.DataDir, i.Path)) },
        });

        var classOf = data.Classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal);
        events.Message(PipelinePhase.Embed, $"decoding {train.Count + val.Count} training and validation images");
        var trainSamples = Load(train, classOf, options.InputSize, ct);
        var valSamples = Load(val, classOf, options.InputSize, ct);

        var baseModel = OnnxReader.Load(ModelCatalog.Default().GetPath(BaseDetector));
        var startFrom = StartingClasses(data.Classes, options.StartFrom);
        foreach (var (label, coco) in data.Classes.Zip(startFrom).Where(t => t.Second is not null))
            events.Message(PipelinePhase.FineTune, $"'{label}' starts from COCO's '{CocoLabels.All[coco!.Value]}' (it finds those before any training)");
        var sized = NanoDetGraph.WithClasses(NanoDetGraph.WithInputSize(baseModel, options.InputSize), data.Classes.Count, options.Seed, startFrom);
        MapResult? baseline = null;
        if (plan.EvaluateBaseline && test.Count > 0 && !File.Exists(FineTuneCheckpoint.PathIn(CheckpointDir(run))))
        {
            var path = Path.Combine(run.Dir, "untrained.onnx");
            Export(sized, data.Classes, run, options, path);
            using (var untrained = DetectorService.Open(path)) baseline = (await DetectionEvaluator.EvaluateAsync(untrained, test, data.Classes, ct)).Map;
            File.Delete(path);
            events.Message(PipelinePhase.Evaluate, $"untrained head on test: mAP@0.5 {baseline.Map50:0.000}, mAP@0.5:0.95 {baseline.Map50To95:0.000}");
        }

        events.Message(PipelinePhase.FineTune, $"fine-tuning NanoDet's head for {data.Classes.Count} classes at {options.InputSize}px, letterboxed: {epochs} epochs{(options.Epochs is null ? $" (chosen for {train.Count} training images)" : "")}, batch {options.BatchSize}");
        var clock = Stopwatch.StartNew();
        long totalSteps = (long)((trainSamples.Count + options.BatchSize - 1) / options.BatchSize) * epochs;
        var sink = new FineTuneObservers(new FineTuneToTrainingObserver(events), new StepProgress(observer, totalSteps));
        var trained = new DetectorTrainer(options, sink).Train(sized, trainSamples, valSamples, CheckpointDir(run), ct);
        clock.Stop();

        Export(trained.Model, data.Classes, run, options, run.ModelPath);
        events.Message(PipelinePhase.Export, $"exported {run.ModelPath} (best epoch {trained.BestEpoch + 1}, {clock.Elapsed.TotalMinutes:0.0} min)");

        DetectionEvaluation? evaluation = null;
        if (test.Count > 0)
        {
            using var detector = DetectorService.Open(run.ModelPath);
            evaluation = await DetectionEvaluator.EvaluateAsync(detector, test, data.Classes, ct);
            DetectionReportWriter.Write(evaluation, run.Dir, "test", baseline);
            foreach (var w in DetectionReportWriter.FewBoxWarnings(evaluation.Map.Classes.Select(c => (c.Label, c.TruthBoxes)), "test boxes")) Warn(w);
            events.Message(PipelinePhase.Evaluate, $"test mAP@0.5 {evaluation.Map.Map50:0.000}, mAP@0.5:0.95 {evaluation.Map.Map50To95:0.000} on {test.Count} images");
        }
        return new DetectTrainResult(run, data, train.Count, val.Count, test.Count, trained, evaluation, baseline, warnings, clock.Elapsed);
    }

    public static string CheckpointDir(RunFolder run) => Path.Combine(run.Dir, "checkpoints");

    /// <summary>The one-file detector (<see cref="DetectorExport"/>): decode and NMS in the graph, labels and preprocessing in metadata.</summary>
    private static void Export(OnnxModel model, IReadOnlyList<string> labels, RunFolder run, DetectorTrainOptions options, string path)
    {
        if (NanoDetGraph.InputSize(model) != options.InputSize) throw new InvalidOperationException("the detector graph's input size is not the trained one");
        OnnxWriter.Save(DetectorExport.Build(model, labels, BaseDetector, run.Id, CodeVersion.Current), path);
    }

    /// <summary>Decodes images once (shrunk to at most twice the input side) with boxes scaled to the decoded pixels.</summary>
    private static List<BoxSample> Load(IReadOnlyList<BoxedImage> images, IReadOnlyDictionary<string, int> classOf, int size, CancellationToken ct)
    {
        var result = new BoxSample[images.Count];
        Parallel.For(0, images.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            var img = images[i];
            var decoded = ImageDecoder.Decode(ImageSource.FromFile(img.Path), ImageTarget.Within(size * 2));
            float sx = (float)decoded.Pixels.Width / img.Width, sy = (float)decoded.Pixels.Height / img.Height;
            result[i] = new BoxSample(decoded.Pixels, img.Boxes.Select(b => new TrainBox(classOf[b.Label], b.Box.Scale(sx, sy))).ToList());
        });
        return result.ToList();
    }

    /// <summary>Content of the dataset: every image's bytes, classes and boxes, so a resume notices any change.</summary>
    private static string Hash(BoxDataset data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(string.Join("\n", data.Classes)));
        foreach (var img in data.Images.OrderBy(i => i.Path, StringComparer.Ordinal))
        {
            sha.AppendData(SHA256.HashData(File.ReadAllBytes(img.Path)));
            sha.AppendData(Encoding.UTF8.GetBytes(string.Join(";", img.Boxes.Select(b => $"{b.Label}:{b.Box}"))));
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }
}

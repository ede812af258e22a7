using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Export;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Pipelines.Steps;
using Lookout.Core.Runs;
using Lookout.Core.Training;
using Lookout.Core.Training.Scratch;

namespace Lookout.Core.Pipelines.Train;

/// <summary>
/// <c>train</c> for small, plentiful images: a compact CNN trained from scratch at the images' native size instead of a
/// frozen pretrained backbone. The run folder and the exported model are the same as every run's: the CNN's trunk
/// becomes the run's own backbone (<c>backbone.onnx</c>, recorded in the manifest by path), its classifier the head,
/// "unknown" is calibrated on validation embeddings, and the one exported ONNX file is evaluated on the test split.
/// </summary>
public sealed class ScratchTrainingService
{
    public const string TrunkFile = "backbone.onnx";

    public async Task<TrainResult> RunAsync(TrainOptions options, CompactCnnOptions cnn, IReadOnlyList<LabeledImage> items, int width, int height,
        RunFolder run, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        options.Validate();
        cnn = cnn with { Seed = options.Seed };
        var carve = options.ValidationFraction > 0 ? ValidationCarveOut.Apply(items, ValidationFraction(items, options), options.Seed) : new CarveOutResult(items, 0, 0);
        items = carve.Items;
        var labels = items.Where(i => i.Split == Split.Train).Select(i => i.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        if (labels.Count < 2) throw new ArgumentException($"Training needs at least 2 classes with training images; found {labels.Count}.", nameof(items));

        Directory.CreateDirectory(run.Dir);
        using var log = new RunLog(run.LogPath);
        using var metrics = new MetricsTsvWriter(run.MetricsPath);
        using var tensorBoard = new TensorBoardObserver(run.Dir);
        var events = new RunEvents(observer ?? NullPipelineObserver.Instance, new CompositeObserver(log, metrics, tensorBoard), PipelinePhase.Train, cnn.Epochs);
        run.WriteJson(run.OptionsPath, new { head = options, compactCnn = cnn, width, height });
        var trunkPath = Path.GetFullPath(Path.Combine(run.Dir, TrunkFile));
        run.WriteJson(run.ManifestPath, RunManifest.Create(run.Id, items, labels, trunkPath, "", options.Seed));
        events.Message(PipelinePhase.Train, $"run {run.Id}: {items.Count} items, {labels.Count} classes, compact CNN from scratch at {width}x{height}");
        if (carve.Carved > 0)
            events.Message(PipelinePhase.Split, $"no validation split: {carve.Carved} of the {carve.TrainBefore} training images (whole sources, per class) are held out to report validation accuracy and calibrate \"unknown\"");

        var classOf = labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var spec = new PreprocessSpec { Width = width, Height = height, Resize = ResizeMode.Stretch };
        events.Message(PipelinePhase.Embed, "decoding images at native size");
        var (train, trainErrors) = SmallImageSet.Load([.. items.Where(i => i.Split == Split.Train).Select(i => (i.Path, i.Label))], classOf, spec, ct);
        var (val, valErrors) = SmallImageSet.Load([.. items.Where(i => i.Split == Split.Val && classOf.ContainsKey(i.Label)).Select(i => (i.Path, i.Label))], classOf, spec, ct);
        var skipped = trainErrors.Concat(valErrors).Select(e => new ItemError(e.Path, e.Reason)).ToList();
        foreach (var e in skipped) events.Warning(PipelinePhase.Embed, $"skipped {e.Path}: {e.Reason}");
        events.Message(PipelinePhase.Train, $"training a compact CNN on {train.Count} images ({val.Count} validation), {cnn.Epochs} epochs");

        using var fit = await Task.Run(() => CompactCnnTrainer.Train(train, val, labels.Count, cnn, events, ct), ct);
        var epochs = fit.Epochs;
        var trunkSpec = spec with { Mean = fit.Mean, Std = fit.Std };
        OnnxWriter.Save(fit.Model.ExportTrunk(trunkSpec, $"compact-cnn-{run.Id}"), trunkPath);
        var backbone = Backbone.FromOnnx(trunkPath);
        var head = fit.Model.Head(labels);

        RejectionThresholds? thresholds = null;
        if (options.UnknownKeep > 0 && val.Count > 0)
        {
            var trainData = new EmbeddingData(CompactCnnTrainer.Embed(fit.Model, train, fit.Mean, fit.Std), train.Labels);
            var valData = new EmbeddingData(CompactCnnTrainer.Embed(fit.Model, val, fit.Mean, fit.Std), val.Labels);
            thresholds = TrainingService.Calibrate(head, trainData, valData, options, events);
        }
        ExportService.Export(backbone, head, run.Id, run.ModelPath, thresholds);
        events.Message(PipelinePhase.Export, $"exported {run.ModelPath}");

        EvaluationReport? test = null;
        if (options.EvaluateTest && items.Any(i => i.Split == Split.Test))
        {
            events.Message(PipelinePhase.Evaluate, "evaluating exported model on test split");
            test = await EvaluationService.EvaluateAsync(run.ModelPath, items, Split.Test, TrainingService.EvaluateProgress(events.Observer), ct);
            run.WriteEvaluation(test, confusionPng: false);
            events.Message(PipelinePhase.Evaluate, $"test accuracy {ReportText.Pct(test.Accuracy)} ({test.Correct}/{test.Count})");
        }
        var headFit = new HeadFit(head, epochs, epochs.Count);
        return new TrainResult(run, labels, headFit, test, skipped, 0, 0) { FinalTrainCount = train.Count, CarvedValidation = carve.Carved };
    }

    /// <summary>15% of a small data set, but no more than about 5,000 images of a large one (at least 5%).</summary>
    private static double ValidationFraction(IReadOnlyList<LabeledImage> items, TrainOptions options)
    {
        int train = items.Count(i => i.Split == Split.Train);
        return Math.Clamp(5000.0 / Math.Max(train, 1), Math.Min(0.05, options.ValidationFraction), options.ValidationFraction);
    }
}

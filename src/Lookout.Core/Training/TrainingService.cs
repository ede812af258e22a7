using Lookout.Core.IO;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Export;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Runs;

namespace Lookout.Core.Training;

/// <summary>What a training run produced.</summary>
public sealed record TrainResult(
    RunFolder Run,
    IReadOnlyList<string> Labels,
    HeadFit Fit,
    EvaluationReport? Test,
    IReadOnlyList<ItemError> Skipped,
    double EmbeddingImagesPerSecond,
    int EmbeddingsFromCache)
{
    public string ModelPath => Run.ModelPath;

    /// <summary>The head in the exported model: <see cref="Fit"/>'s, or the train+val refit's when there was one.</summary>
    public HeadWeights Head { get; init; } = Fit.Head;

    /// <summary>Embeddings the exported head was trained on (train, or train+val after the refit).</summary>
    public int FinalTrainCount { get; init; }

    /// <summary>Validation images held out of a train-only folder for this run (0 when the data had a validation split).</summary>
    public int CarvedValidation { get; init; }

    /// <summary>Where the run's time went, stage by stage.</summary>
    public IReadOnlyList<StageTiming> Timings { get; init; } = [];

    /// <summary>Metrics of the epoch whose weights were kept.</summary>
    public EpochMetrics BestEpoch => Fit.Epochs[Math.Max(Fit.BestEpoch, 1) - 1];
}

/// <summary>
/// The <c>train</c> verb: embeddings once (through the cache, test images included), a softmax head fitted on them,
/// the one-file ONNX export, and, when there is a test split, an evaluation of the exported function on the test
/// embeddings (see <see cref="EvaluationService.EvaluateEmbeddings"/>). Everything lands in the run folder:
/// options.json, manifest.json, metrics.tsv, model.onnx, eval.json / eval.md, log.txt (plots are drawn by report and eval).
/// </summary>
public sealed class TrainingService(EmbeddingCache? cache = null, OnnxRunnerOptions? runner = null)
{
    public Task<TrainResult> RunAsync(TrainOptions options, IReadOnlyList<LabeledImage> items, Backbone backbone, string runDir,
        ITrainingObserver? observer = null, CancellationToken ct = default) =>
        RunAsync(options, items, backbone, new RunFolder(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDir))), runDir), observer, ct);

    public async Task<TrainResult> RunAsync(TrainOptions options, IReadOnlyList<LabeledImage> items, Backbone backbone, RunFolder run,
        ITrainingObserver? observer = null, CancellationToken ct = default)
    {
        options.Validate();
        var timings = new StageTimings();
        var carve = options.ValidationFraction > 0 ? ValidationCarveOut.Apply(items, options.ValidationFraction, options.Seed) : new CarveOutResult(items, 0, 0);
        items = carve.Items;
        var labels = items.Where(i => i.Split == Split.Train).Select(i => i.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        if (labels.Count < 2)
            throw new ArgumentException($"Training needs at least 2 classes with training images; found {labels.Count}.", nameof(items));

        Directory.CreateDirectory(run.Dir);
        using var log = new RunLog(run.LogPath);
        using var metrics = new MetricsTsvWriter(run.MetricsPath);
        using var tensorBoard = new TensorBoardObserver(run.Dir);
        var events = new CompositeObserver(log, metrics, tensorBoard, observer);
        run.WriteJson(run.OptionsPath, options);
        run.WriteJson(run.ManifestPath, RunManifest.Create(run.Id, items, labels, backbone.Id, backbone.ModelHash, options.Seed));
        events.OnStage($"run {run.Id}: {items.Count} items, {labels.Count} classes, backbone {backbone.Id}");
        if (carve.Carved > 0)
            events.OnStage($"no validation split: {carve.Carved} of the {carve.TrainBefore} training images (whole sources, per class) are held out " +
                           "to choose the epochs and calibrate \"unknown\"" + (options.RefitOnTrainVal ? "; the final head is then refit on all of them" : ""));

        var classOf = labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var trainItems = items.Where(i => i.Split == Split.Train).ToList();
        var valItems = items.Where(i => i.Split == Split.Val).ToList();
        foreach (var unknown in valItems.Where(i => !classOf.ContainsKey(i.Label)).Select(i => i.Label).Distinct())
            events.OnWarning($"validation label '{unknown}' has no training images; those items are ignored");
        valItems.RemoveAll(i => !classOf.ContainsKey(i.Label));

        var testItems = options.EvaluateTest ? items.Where(i => i.Split == Split.Test).ToList() : [];
        EmbeddingData train, val;
        EmbeddingSet set;
        using (timings.Measure("embed"))
            (train, val, set) = await EmbedSplitsAsync(backbone, trainItems, valItems, classOf, events, ct, testItems);
        if (val.Count == 0) events.OnWarning("no validation images: early stopping is off, the last epoch is kept");
        events.OnStage($"training head on {train.Count} train / {val.Count} val embeddings");
        var fit = timings.Measure("train", () => HeadTrainer.Fit(train, val, labels, options, events, ct));
        events.OnStage($"best epoch {fit.BestEpoch} of {fit.Epochs.Count}");

        var thresholds = timings.Measure("calibrate", () => Calibrate(fit.Head, train, val, options, events));
        var head = fit.Head;
        int finalCount = train.Count;
        if (options.RefitOnTrainVal && val.Count > 0)
        {
            // Thresholds stay the ones set on validation images the validated head never saw (honest keep rate);
            // they hold their own standardisation and centroids, so they apply to the refit head unchanged.
            head = timings.Measure("train", () => HeadTrainer.Refit(train, val, labels, options, fit.BestEpoch, ct: ct).Head);
            finalCount = train.Count + val.Count;
            events.OnStage($"refit the head on train+val ({finalCount} embeddings, {fit.BestEpoch} epochs as chosen on validation, seed {options.Seed})");
        }
        using (timings.Measure("export")) ExportService.Export(backbone, head, run.Id, run.ModelPath, thresholds);
        events.OnStage($"exported {run.ModelPath}");

        EvaluationReport? test = null;
        if (testItems.Count > 0)
        {
            using (timings.Measure("eval"))
            {
                var testVectors = set.Vectors.Skip(trainItems.Count + valItems.Count).ToList();
                test = EvaluationService.EvaluateEmbeddings(run.Id, head, thresholds, testItems, testVectors);
            }
            // Plots (confusion matrix, curves) are drawn by 'report' and 'eval', not on every (re)train: metrics.tsv,
            // the TensorBoard events and eval.json hold the numbers.
            using (timings.Measure("write")) run.WriteEvaluation(test, confusionPng: false);
            events.OnStage($"test accuracy {ReportText.Pct(test.Accuracy)} ({test.Correct}/{test.Count})");
        }
        events.OnStage($"time: {timings}");
        return new TrainResult(run, labels, fit, test, set.Errors, set.ImagesPerSecond, set.FromCache)
        {
            Head = head, FinalTrainCount = finalCount, CarvedValidation = carve.Carved, Timings = timings.Stages,
        };
    }

    /// <summary>Loss and accuracy curves as PNGs beside metrics.tsv (the TensorBoard file has the same numbers).</summary>
    internal static void WriteCurves(RunFolder run, IReadOnlyList<EpochMetrics> epochs, int bestEpoch)
    {
        if (epochs.Count == 0) return;
        var (loss, accuracy) = TrainingCurvesPlot.RenderPng(epochs, bestEpoch);
        AtomicFile.WriteAllBytes(Path.Combine(run.Dir, "curves-loss.png"), loss);
        AtomicFile.WriteAllBytes(Path.Combine(run.Dir, "curves-accuracy.png"), accuracy);
    }

    /// <summary>
    /// Embeds train and val items, and <paramref name="testItems"/> after them (through the cache), into labelled
    /// vectors; unreadable items are warned about and left out. <see cref="EmbeddingSet.Vectors"/> keeps that order.
    /// </summary>
    internal async Task<(EmbeddingData Train, EmbeddingData Val, EmbeddingSet Set)> EmbedSplitsAsync(Backbone backbone,
        List<LabeledImage> trainItems, List<LabeledImage> valItems, Dictionary<string, int> classOf, ITrainingObserver events, CancellationToken ct,
        IReadOnlyList<LabeledImage>? testItems = null)
    {
        testItems ??= [];
        events.OnStage($"embedding {trainItems.Count + valItems.Count + testItems.Count} images with {backbone.Id}");
        EmbeddingSet set;
        using (var extractor = new EmbeddingExtractor(backbone, cache, runner))
            set = await extractor.ExtractAsync([.. trainItems, .. valItems, .. testItems], new ObserverProgress(events), ct);
        foreach (var e in set.Errors) events.OnWarning($"skipped {e.Path}: {e.Reason}");
        int computed = set.Vectors.Count(v => v is not null) - set.FromCache;
        events.OnStage(computed <= 0 ? $"embeddings: all {set.FromCache} from cache"
            : $"embeddings: {set.FromCache} from cache, {computed} computed at {set.ImagesPerSecond:0.0} img/s");
        return (Collect(trainItems, set, 0, classOf), Collect(valItems, set, trainItems.Count, classOf), set);
    }

    internal static RejectionThresholds? Calibrate(HeadWeights head, EmbeddingData train, EmbeddingData val, TrainOptions options, ITrainingObserver events)
    {
        if (options.UnknownKeep <= 0) return null;
        var thresholds = val.Count > 0 ? RejectionCalibrator.Fit(head, train, val, new CalibrationOptions { TargetKeep = options.UnknownKeep }) : null;
        if (thresholds is null) events.OnWarning("no validation images to calibrate \"unknown\" on: the model will always name one of its classes");
        else events.OnStage($"calibrated \"unknown\" on {thresholds.ValidationCount} validation images (target keep {options.UnknownKeep:P0})");
        return thresholds;
    }

    private static EmbeddingData Collect(List<LabeledImage> items, EmbeddingSet set, int offset, Dictionary<string, int> classOf)
    {
        var x = new List<float[]>(); var y = new List<int>();
        for (int i = 0; i < items.Count; i++)
            if (set.Vectors[offset + i] is { } v) { x.Add(v); y.Add(classOf[items[i].Label]); }
        return new EmbeddingData([.. x], [.. y]);
    }

    private sealed class ObserverProgress(ITrainingObserver observer) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => observer.OnEmbeddingProgress(value);
    }
}

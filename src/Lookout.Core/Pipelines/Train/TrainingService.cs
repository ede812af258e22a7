using Lookout.Core.IO;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Export;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Runs;
using Lookout.Core.Embeddings;
using Lookout.Core.Models.Heads;
using Lookout.Core.Pipelines.Steps;
using Lookout.Core.Training;

namespace Lookout.Core.Pipelines.Train;

/// <summary>Train and val embeddings with their class indices, and the extraction they came from (errors, cache hits, speed).</summary>
internal sealed record EmbeddedSplits(EmbeddingData Train, EmbeddingData Val, EmbeddingSet Set);

/// <summary>
/// Training a head on a snapshot of labelled items: embeddings once (through the cache, test images included), a
/// softmax head fitted on them, "unknown" calibrated on validation, the head refit on train+val, the one-file ONNX
/// export, and, when there is a test split, an evaluation of the exported function on the test embeddings (see
/// <see cref="EvaluationService.EvaluateEmbeddings"/>). Everything lands in the run folder: options.json,
/// manifest.json, metrics.tsv, TensorBoard events, model.onnx, eval.json / eval.md, log.txt (plots are drawn by report
/// and eval). A head run always starts from scratch (seconds on cached embeddings), so a rerun in the same folder
/// rewrites its metrics rather than resuming them.
/// </summary>
public sealed class TrainingService(EmbeddingCache? cache = null, OnnxRunnerOptions? runner = null)
{
    public Task<TrainResult> RunAsync(TrainOptions options, IReadOnlyList<LabeledImage> items, Backbone backbone, string runDir,
        IPipelineObserver? observer = null, CancellationToken ct = default) =>
        RunAsync(options, items, backbone, new RunFolder(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDir))), runDir), observer, ct);

    public async Task<TrainResult> RunAsync(TrainOptions options, IReadOnlyList<LabeledImage> items, Backbone backbone, RunFolder run,
        IPipelineObserver? observer = null, CancellationToken ct = default)
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
        var events = new RunEvents(observer ?? NullPipelineObserver.Instance, new CompositeObserver(log, metrics, tensorBoard), PipelinePhase.Train, options.Epochs);
        run.WriteJson(run.OptionsPath, options);
        run.WriteJson(run.ManifestPath, RunManifest.Create(run.Id, items, labels, backbone.Id, backbone.ModelHash, options.Seed));
        events.Message(PipelinePhase.Train, $"run {run.Id}: {items.Count} items, {labels.Count} classes, backbone {backbone.Id}");
        if (carve.Carved > 0)
            events.Message(PipelinePhase.Split, $"no validation split: {carve.Carved} of the {carve.TrainBefore} training images (whole sources, per class) are held out " +
                           "to choose the epochs and calibrate \"unknown\"" + (options.RefitOnTrainVal ? "; the final head is then refit on all of them" : ""));

        var classOf = labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var trainItems = items.Where(i => i.Split == Split.Train).ToList();
        var valItems = items.Where(i => i.Split == Split.Val).ToList();
        foreach (var unknown in valItems.Where(i => !classOf.ContainsKey(i.Label)).Select(i => i.Label).Distinct())
            events.Warning(PipelinePhase.Train, $"validation label '{unknown}' has no training images; those items are ignored");
        valItems.RemoveAll(i => !classOf.ContainsKey(i.Label));

        var testItems = options.EvaluateTest ? items.Where(i => i.Split == Split.Test).ToList() : [];
        EmbeddedSplits embedded;
        using (timings.Measure("embed"))
            embedded = await EmbedSplitsAsync(backbone, trainItems, valItems, classOf, events, ct, testItems);
        var (train, val, set) = embedded;
        if (val.Count == 0) events.Warning(PipelinePhase.Train, "no validation images: early stopping is off, the last epoch is kept");
        events.Message(PipelinePhase.Train, $"training head on {train.Count} train / {val.Count} val embeddings");
        var fit = timings.Measure("train", () => HeadTrainer.Fit(train, val, labels, options, events, ct));
        events.Message(PipelinePhase.Train, $"best epoch {fit.BestEpoch} of {fit.Epochs.Count}");

        ct.ThrowIfCancellationRequested();
        // The refit head does not depend on the thresholds, nor they on it: it is fitted on another core while
        // calibration runs, and the run waits for it only after (its remaining wait is counted as "train").
        var refitting = options.RefitOnTrainVal && val.Count > 0 ? Task.Run(() => HeadTrainer.Refit(train, val, labels, options, fit.BestEpoch, ct: ct).Head, ct) : null;
        RejectionThresholds? thresholds;
        try { thresholds = timings.Measure("calibrate", () => Calibrate(fit.Head, train, val, options, events)); }
        catch { await Settle(refitting); throw; }
        var head = fit.Head;
        int finalCount = train.Count;
        if (refitting is not null)
        {
            // Thresholds stay the ones set on validation images the validated head never saw (honest keep rate);
            // they hold their own standardisation and centroids, so they apply to the refit head unchanged.
            using (timings.Measure("train")) head = await refitting;
            finalCount = train.Count + val.Count;
            events.Message(PipelinePhase.Train, $"refit the head on train+val ({finalCount} embeddings, {fit.BestEpoch} epochs as chosen on validation, seed {options.Seed})");
        }

        // Export and the test evaluation only read the final head: the file is written on another core while the
        // evaluation runs on the cached test embeddings (the export's remaining wait is counted as "export").
        var exporting = Task.Run(() => ExportService.Export(backbone, head, run.Id, run.ModelPath, thresholds), ct);
        EvaluationReport? test = null;
        try
        {
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
            }
        }
        catch { await Settle(exporting); throw; } // the evaluation's error is the one to report; no export outlives the run
        using (timings.Measure("export")) await exporting;
        events.Message(PipelinePhase.Export, $"exported {run.ModelPath}");
        if (test is not null) events.Message(PipelinePhase.Evaluate, $"test accuracy {ReportText.Pct(test.Accuracy)} ({test.Correct}/{test.Count})");
        events.Message(PipelinePhase.Train, $"time: {timings}");
        return new TrainResult(run, labels, fit, test, set.Errors, set.ImagesPerSecond, set.FromCache)
        {
            Head = head, FinalTrainCount = finalCount, CarvedValidation = carve.Carved, Timings = timings.Stages,
        };
    }

    /// <summary>Waits for background work to end, ignoring its outcome (the caller is already failing with its own error).</summary>
    private static Task Settle(Task? work) => work?.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default) ?? Task.CompletedTask;

    /// <summary>Loss and accuracy curves as PNGs beside metrics.tsv (the TensorBoard file has the same numbers).</summary>
    internal static void WriteCurves(RunFolder run, IReadOnlyList<EpochMetrics> epochs, int bestEpoch)
    {
        if (epochs.Count == 0) return;
        var (loss, accuracy) = TrainingCurvesPlot.RenderPng(epochs, bestEpoch);
        AtomicFile.WriteAllBytes(Path.Combine(run.Dir, "curves-loss.png"), loss);
        AtomicFile.WriteAllBytes(Path.Combine(run.Dir, "curves-accuracy.png"), accuracy);
    }

    internal static IProgress<BatchProgress> EvaluateProgress(IPipelineObserver observer) => new SyncProgress<BatchProgress>(p =>
        observer.OnProgress(new PhaseProgress(PipelinePhase.Evaluate, PhaseProgress.Images, p.Done, p.Total)));

    /// <summary>
    /// Embeds train and val items, and <paramref name="testItems"/> after them (through the cache), into labelled
    /// vectors; unreadable items are warned about and left out. <see cref="EmbeddingSet.Vectors"/> keeps that order.
    /// </summary>
    internal async Task<EmbeddedSplits> EmbedSplitsAsync(Backbone backbone, List<LabeledImage> trainItems, List<LabeledImage> valItems,
        Dictionary<string, int> classOf, RunEvents events, CancellationToken ct, IReadOnlyList<LabeledImage>? testItems = null)
    {
        testItems ??= [];
        events.Message(PipelinePhase.Embed, $"embedding {trainItems.Count + valItems.Count + testItems.Count} images with {backbone.Id}");
        EmbeddingSet set;
        using (var extractor = new EmbeddingExtractor(backbone, cache, runner))
            set = await extractor.ExtractAsync([.. trainItems, .. valItems, .. testItems], new SyncProgress<BatchProgress>(events.OnEmbeddingProgress), ct);
        foreach (var e in set.Errors) events.Warning(PipelinePhase.Embed, $"skipped {e.Path}: {e.Reason}");
        int computed = set.Vectors.Count(v => v is not null) - set.FromCache;
        events.Message(PipelinePhase.Embed, computed <= 0 ? $"embeddings: all {set.FromCache} from cache"
            : $"embeddings: {set.FromCache} from cache, {computed} computed at {set.ImagesPerSecond:0.0} img/s");
        return new EmbeddedSplits(Collect(trainItems, set, 0, classOf), Collect(valItems, set, trainItems.Count, classOf), set);
    }

    internal static RejectionThresholds? Calibrate(HeadWeights head, EmbeddingData train, EmbeddingData val, TrainOptions options, RunEvents events)
    {
        if (options.UnknownKeep <= 0) return null;
        var thresholds = val.Count > 0 ? RejectionCalibrator.Fit(head, train, val, new CalibrationOptions { TargetKeep = options.UnknownKeep }) : null;
        if (thresholds is null) events.Warning(PipelinePhase.Calibrate, "no validation images to calibrate \"unknown\" on: the model will always name one of its classes");
        else events.Message(PipelinePhase.Calibrate, $"calibrated \"unknown\" on {thresholds.ValidationCount} validation images (target keep {options.UnknownKeep:P0})");
        return thresholds;
    }

    private static EmbeddingData Collect(List<LabeledImage> items, EmbeddingSet set, int offset, Dictionary<string, int> classOf)
    {
        var x = new List<float[]>(); var y = new List<int>();
        for (int i = 0; i < items.Count; i++)
            if (set.Vectors[offset + i] is { } v) { x.Add(v); y.Add(classOf[items[i].Label]); }
        return new EmbeddingData([.. x], [.. y]);
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Export;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Runs;
using Lookout.Core.Training.FineTuning;
using Lookout.Core.Embeddings;
using Lookout.Core.Imaging.Augmentation;
using Lookout.Core.Training;

namespace Lookout.Core.Pipelines.Train;

/// <summary>
/// <c>train --fine-tune</c>: a linear probe on cached embeddings first (a good starting head, in <c>probe/</c>), then the
/// last blocks of the backbone are trained together with that head on the images, with a checkpoint every epoch in
/// <c>checkpoints/</c>. The fine-tuned backbone and head are exported as one ONNX file like any run, and that file is
/// evaluated on the test split.
/// <para>
/// Resume works from any kill point: options, manifest and plan are written before any work, so a run stopped before
/// its first checkpoint starts again from the beginning in its own folder, and a later one continues exactly where its
/// last checkpoint left it. metrics.tsv and the TensorBoard file are appended to, never rewritten, and epochs the
/// checkpoint holds but the files missed (a kill between the two writes) are filled in.
/// </para>
/// </summary>
public sealed class FineTuneService(EmbeddingCache? cache = null)
{
    public const string PlanFile = "finetune.json";

    public static string CheckpointDir(RunFolder run) => Path.Combine(run.Dir, "checkpoints");

    public static string PlanPath(RunFolder run) => run.FineTunePlanPath;

    public async Task<TrainResult> RunAsync(TrainOptions headOptions, FineTunePlan plan, IReadOnlyList<LabeledImage> items, Backbone backbone,
        RunFolder run, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        headOptions.Validate();
        plan.Options.Validate();
        var labels = LabelsOf(items);
        if (labels.Count < 2)
            throw new ArgumentException($"Training needs at least 2 classes with training images; found {labels.Count}.", nameof(items));
        Directory.CreateDirectory(run.Dir);
        run.WriteJson(run.OptionsPath, headOptions);
        run.WriteJson(run.ManifestPath, RunManifest.Create(run.Id, items, labels, backbone.Id, backbone.ModelHash, plan.Options.Seed));
        run.WriteJson(PlanPath(run), plan);
        return await ProbeThenFineTuneAsync(headOptions, plan, items, backbone, run, observer ?? NullPipelineObserver.Instance, ct);
    }

    /// <summary>Continues a killed or stopped fine-tuning run (same data and options): from its last checkpoint, or from the start when it had none.</summary>
    public async Task<TrainResult> ResumeAsync(RunFolder run, IReadOnlyList<LabeledImage> items, Backbone backbone,
        IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        observer ??= NullPipelineObserver.Instance;
        var plan = ReadPlan(run);
        if (DatasetManifest.Hash(items) != plan.DatasetHash)
            throw new LookoutException($"the data changed since run {run.Id} started (manifest hash differs); start a new run instead of resuming");
        var headOptions = run.ReadJson<TrainOptions>(run.OptionsPath) ?? TrainOptions.Default;
        if (!File.Exists(FineTuneCheckpoint.PathIn(CheckpointDir(run))))
        {
            observer.OnMessage(PipelinePhase.Train, $"run {run.Id} stopped before its first fine-tuning checkpoint: starting it again from the beginning");
            return await ProbeThenFineTuneAsync(headOptions, plan, items, backbone, run, observer, ct);
        }
        observer.OnMessage(PipelinePhase.FineTune, $"resuming run {run.Id} from its last checkpoint");
        return await FineTuneAsync(plan, headOptions, items, backbone, run, initialHead: null, observer, ct);
    }

    /// <summary>The run's plan, or an error that says why there is nothing to resume.</summary>
    public static FineTunePlan ReadPlan(RunFolder run)
    {
        if (run.ReadJson<FineTunePlan>(PlanPath(run)) is { } plan) return plan;
        if (!File.Exists(run.OptionsPath) && !File.Exists(run.ManifestPath))
            throw new LookoutException($"run {run.Id} was stopped before it started: nothing to resume yet, start the training again");
        throw new LookoutException($"run {run.Id} is not a fine-tuning run (no {PlanFile}); only fine-tuning runs can be resumed, start a new run instead");
    }

    private async Task<TrainResult> ProbeThenFineTuneAsync(TrainOptions headOptions, FineTunePlan plan, IReadOnlyList<LabeledImage> items,
        Backbone backbone, RunFolder run, IPipelineObserver observer, CancellationToken ct)
    {
        // The probe is a head run of its own in probe/: deterministic, seconds on cached embeddings, so a killed one is redone.
        var probeRun = new RunFolder(run.Id, Path.Combine(run.Dir, "probe"));
        observer.OnMessage(PipelinePhase.Train, "fine-tune step 1/2: linear probe on frozen embeddings (the starting head)");
        var probe = await new TrainingService(cache).RunAsync(headOptions with { Hidden = 0, EvaluateTest = false }, items, backbone, probeRun, observer, ct);
        observer.OnMessage(PipelinePhase.FineTune, "fine-tune step 2/2: last backbone blocks + head on the images");
        return await FineTuneAsync(plan, headOptions, items, backbone, run, probe.Fit.Head.ToLinearHead(), observer, ct);
    }

    /// <param name="initialHead">The probe's head for a fresh start; null to continue from the checkpoint.</param>
    private async Task<TrainResult> FineTuneAsync(FineTunePlan plan, TrainOptions headOptions, IReadOnlyList<LabeledImage> items, Backbone backbone,
        RunFolder run, LinearHead? initialHead, IPipelineObserver observer, CancellationToken ct)
    {
        var labels = LabelsOf(items);
        var classOf = labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        List<LabeledImage> Items(Split split) => items.Where(i => i.Split == split && classOf.ContainsKey(i.Label)).ToList();
        IFineTuneData Data(Split split)
        {
            var chosen = Items(split);
            return new ImageFileFineTuneData(chosen.Select(i => i.Path).ToList(), chosen.Select(i => classOf[i.Label]).ToList(), backbone.Spec);
        }

        var augmentation = plan.Augment ? AugmentationPipeline.Standard(backbone.Spec.Width, backbone.Spec.Height) : null;
        using var log = new RunLog(run.LogPath);
        using var metrics = MetricsTsvWriter.Append(run.MetricsPath);
        using var tensorBoard = new TensorBoardObserver(run.Dir);
        var events = new RunEvents(observer, new CompositeObserver(log, metrics), PipelinePhase.FineTune, plan.Options.Epochs);
        bool resume = initialHead is null;
        if (resume) FillInMissedEpochs(run, metrics, tensorBoard);
        var train = Data(Split.Train);
        long totalSteps = (long)((train.Count + plan.Options.BatchSize - 1) / plan.Options.BatchSize) * plan.Options.Epochs;
        // TensorBoard before metrics.tsv: a row in metrics.tsv then always has its curve points too.
        var sink = new FineTuneObservers(tensorBoard, new FineTuneToTrainingObserver(events), new StepProgress(observer, totalSteps));
        var trainer = new FineTuneTrainer(OnnxReader.Load(backbone.OnnxPath), plan.Options, augmentation, initialHead, sink);
        var result = await Task.Run(() => resume
            ? trainer.Resume(train, Data(Split.Val), labels.Count, CheckpointDir(run), ct)
            : trainer.Train(train, Data(Split.Val), labels.Count, CheckpointDir(run), ct), ct);

        ct.ThrowIfCancellationRequested();
        var tunedPath = Path.Combine(run.Dir, "backbone.onnx");
        OnnxWriter.Save(result.Backbone, tunedPath);
        var tuned = Backbone.FromOnnx(tunedPath, backbone.Id + "+finetuned", backbone.Spec);
        var head = result.Head.ToHeadWeights(labels);
        // "unknown" thresholds must come from the fine-tuned features, so train/val are embedded again with them.
        var (trainEmb, valEmb, _) = await new TrainingService(cache).EmbedSplitsAsync(tuned, Items(Split.Train), Items(Split.Val), classOf, events, ct);
        var thresholds = TrainingService.Calibrate(head, trainEmb, valEmb, headOptions, events);
        ExportService.Export(tuned, head, run.Id, run.ModelPath, thresholds);
        int bestEpoch = result.BestEpoch + 1; // the trainer counts epochs from 0; runs report them from 1
        events.Message(PipelinePhase.Export, $"exported {run.ModelPath} (best epoch {bestEpoch})");

        EvaluationReport? test = null;
        if (items.Any(i => i.Split == Split.Test))
        {
            test = await EvaluationService.EvaluateAsync(run.ModelPath, items, Split.Test, TrainingService.EvaluateProgress(observer), ct);
            run.WriteEvaluation(test);
            events.Message(PipelinePhase.Evaluate, $"test accuracy {ReportText.Pct(test.Accuracy)} ({test.Correct}/{test.Count})");
        }
        var epochs = result.History.Select(FineTuneToTrainingObserver.ToEpochMetrics).ToList();
        TrainingService.WriteCurves(run, epochs, bestEpoch);
        return new TrainResult(run, labels, new HeadFit(head, epochs, bestEpoch), test, [], 0, 0);
    }

    /// <summary>
    /// The checkpoint is written before an epoch's rows, so a kill between the two leaves epochs the checkpoint holds
    /// but metrics.tsv (and maybe TensorBoard) lack; they are added from the checkpoint's history before training goes on.
    /// </summary>
    private static void FillInMissedEpochs(RunFolder run, MetricsTsvWriter metrics, TensorBoardObserver tensorBoard)
    {
        foreach (var e in FineTuneCheckpoint.ReadHistory(CheckpointDir(run)))
        {
            var row = FineTuneToTrainingObserver.ToEpochMetrics(e);
            if (metrics.LoggedEpochs.Contains(row.Epoch)) continue;
            tensorBoard.OnEpochEnd(e);
            metrics.OnEpochEnd(row);
        }
    }

    private static List<string> LabelsOf(IReadOnlyList<LabeledImage> items) =>
        items.Where(i => i.Split == Split.Train).Select(i => i.Label).Distinct().Order(StringComparer.Ordinal).ToList();
}

/// <summary>Fans fine-tuning events out to several observers, in order.</summary>
internal sealed class FineTuneObservers(params IFineTuneObserver[] observers) : IFineTuneObserver
{
    public void OnBatch(int epoch, long step, double loss) { foreach (var o in observers) o.OnBatch(epoch, step, loss); }
    public void OnEpochEnd(FineTuneEpoch epoch) { foreach (var o in observers) o.OnEpochEnd(epoch); }
}

/// <summary>Optimizer steps done out of all the run will take, for a progress bar with an ETA inside long epochs.</summary>
internal sealed class StepProgress(IPipelineObserver observer, long totalSteps) : IFineTuneObserver
{
    public void OnBatch(int epoch, long step, double loss) =>
        observer.OnProgress(new PhaseProgress(PipelinePhase.FineTune, PhaseProgress.Steps, step + 1, totalSteps));
}

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

/// <summary>What a fine-tuning run needs to be resumed: recorded in the run folder as <c>finetune.json</c>.</summary>
public sealed record FineTunePlan(string Backbone, FineTuneOptions Options, bool Augment, string DatasetHash);

/// <summary>
/// <c>train --fine-tune</c>: a linear probe on cached embeddings first (a good starting head, in <c>probe/</c>), then the
/// last blocks of the backbone are trained together with that head on the images, with a checkpoint every epoch in
/// <c>checkpoints/</c> so <c>train --resume</c> continues a killed run exactly. The fine-tuned backbone and head are
/// exported as one ONNX file like any run, and that file is evaluated on the test split.
/// </summary>
public sealed class FineTuneService(EmbeddingCache? cache = null)
{
    public const string PlanFile = "finetune.json";

    public static string CheckpointDir(RunFolder run) => Path.Combine(run.Dir, "checkpoints");

    public async Task<TrainResult> RunAsync(TrainOptions headOptions, FineTunePlan plan, IReadOnlyList<LabeledImage> items, Backbone backbone,
        RunFolder run, ITrainingObserver? observer = null, CancellationToken ct = default)
    {
        var probeRun = new RunFolder(run.Id, Path.Combine(run.Dir, "probe"));
        observer?.OnStage("fine-tune step 1/2: linear probe on frozen embeddings (the starting head)");
        var probe = await new TrainingService(cache).RunAsync(headOptions with { Hidden = 0, EvaluateTest = false }, items, backbone, probeRun, observer, ct);
        run.WriteJson(run.OptionsPath, headOptions);
        run.WriteJson(run.ManifestPath, RunManifest.Create(run.Id, items, probe.Labels, backbone.Id, backbone.ModelHash, plan.Options.Seed));
        run.WriteJson(Path.Combine(run.Dir, PlanFile), plan);
        observer?.OnStage("fine-tune step 2/2: last backbone blocks + head on the images");
        return await FineTuneAsync(plan, items, backbone, run, probe.Fit.Head.ToLinearHead(), resume: false, observer, ct);
    }

    /// <summary>Continues a killed or stopped fine-tuning run from its last checkpoint (same data and options).</summary>
    public Task<TrainResult> ResumeAsync(RunFolder run, IReadOnlyList<LabeledImage> items, Backbone backbone,
        ITrainingObserver? observer = null, CancellationToken ct = default)
    {
        var plan = ReadPlan(run);
        if (DatasetManifest.Hash(items) != plan.DatasetHash)
            throw new LookoutException($"the data changed since run {run.Id} started (manifest hash differs); start a new run instead of resuming");
        return FineTuneAsync(plan, items, backbone, run, initialHead: null, resume: true, observer, ct);
    }

    public static FineTunePlan ReadPlan(RunFolder run) =>
        run.ReadJson<FineTunePlan>(Path.Combine(run.Dir, PlanFile))
        ?? throw new LookoutException($"run {run.Id} is not a fine-tuning run (no {PlanFile}); only fine-tuning runs can be resumed");

    private async Task<TrainResult> FineTuneAsync(FineTunePlan plan, IReadOnlyList<LabeledImage> items, Backbone backbone, RunFolder run,
        LinearHead? initialHead, bool resume, ITrainingObserver? observer, CancellationToken ct)
    {
        var labels = items.Where(i => i.Split == Split.Train).Select(i => i.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        var classOf = labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        IFineTuneData Data(Split split)
        {
            var chosen = items.Where(i => i.Split == split && classOf.ContainsKey(i.Label)).ToList();
            return new ImageFileFineTuneData(chosen.Select(i => i.Path).ToList(), chosen.Select(i => classOf[i.Label]).ToList(), backbone.Spec);
        }

        var augmentation = plan.Augment ? AugmentationPipeline.Standard(backbone.Spec.Width, backbone.Spec.Height) : null;
        using var metrics = new MetricsTsvWriter(run.MetricsPath);
        using var tensorBoard = new TensorBoardObserver(run.Dir);
        var sink = new FineTuneObservers(new FineTuneToTrainingObserver(new CompositeObserver(metrics, observer)), tensorBoard);
        var trainer = new FineTuneTrainer(OnnxReader.Load(backbone.OnnxPath), plan.Options, augmentation, initialHead, sink);
        var result = await Task.Run(() => resume
            ? trainer.Resume(Data(Split.Train), Data(Split.Val), labels.Count, CheckpointDir(run), ct)
            : trainer.Train(Data(Split.Train), Data(Split.Val), labels.Count, CheckpointDir(run), ct), ct);

        var tunedPath = Path.Combine(run.Dir, "backbone.onnx");
        OnnxWriter.Save(result.Backbone, tunedPath);
        var tuned = Backbone.FromOnnx(tunedPath, backbone.Id + "+finetuned", backbone.Spec);
        var head = result.Head.ToHeadWeights(labels);
        // "unknown" thresholds must come from the fine-tuned features, so train/val are embedded again with them.
        var headOptions = run.ReadJson<TrainOptions>(run.OptionsPath) ?? TrainOptions.Default;
        var events = observer ?? new CompositeObserver();
        var (trainEmb, valEmb, _) = await new TrainingService(cache).EmbedSplitsAsync(tuned,
            items.Where(i => i.Split == Split.Train && classOf.ContainsKey(i.Label)).ToList(),
            items.Where(i => i.Split == Split.Val && classOf.ContainsKey(i.Label)).ToList(), classOf, events, ct);
        var thresholds = TrainingService.Calibrate(head, trainEmb, valEmb, headOptions, events);
        ExportService.Export(tuned, head, run.Id, run.ModelPath, thresholds);
        observer?.OnStage($"exported {run.ModelPath} (best epoch {result.BestEpoch})");

        EvaluationReport? test = null;
        if (items.Any(i => i.Split == Split.Test))
        {
            test = await EvaluationService.EvaluateAsync(run.ModelPath, items, Split.Test, null, ct);
            run.WriteEvaluation(test);
            observer?.OnStage($"test accuracy {ReportText.Pct(test.Accuracy)} ({test.Correct}/{test.Count})");
        }
        var epochs = result.History.Select(e => new EpochMetrics(e.Epoch, e.TrainLoss, double.NaN, e.ValLoss, e.ValAccuracy, e.Improved, TimeSpan.FromSeconds(e.Seconds))).ToList();
        TrainingService.WriteCurves(run, epochs, result.BestEpoch);
        return new TrainResult(run, labels, new HeadFit(head, epochs, result.BestEpoch), test, [], 0, 0);
    }
}

/// <summary>Fans fine-tuning events out to several observers.</summary>
internal sealed class FineTuneObservers(params IFineTuneObserver[] observers) : IFineTuneObserver
{
    public void OnBatch(int epoch, long step, double loss) { foreach (var o in observers) o.OnBatch(epoch, step, loss); }
    public void OnEpochEnd(FineTuneEpoch epoch) { foreach (var o in observers) o.OnEpochEnd(epoch); }
}

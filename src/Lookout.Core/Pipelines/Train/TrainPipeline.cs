using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Pipelines.Steps;
using Lookout.Core.Runs;
using Lookout.Core.Training;
using Lookout.Core.Training.Scratch;

namespace Lookout.Core.Pipelines.Train;

/// <summary>
/// <c>train</c> (like <c>yolo classify train data=...</c>): scan the folder (incremental), split what is unassigned,
/// then train a run (head on cached embeddings, probe + fine-tune, or a compact CNN from scratch for small, plentiful
/// images) that embeds, fits, calibrates "unknown", exports one ONNX file and evaluates it on the test split. Where the
/// time went is in <see cref="TrainResult.Timings"/>. <see cref="ResumeAsync"/> continues a stopped fine-tuning run.
/// </summary>
public static class TrainPipeline
{
    public static async Task<TrainPipelineResult> RunAsync(TrainRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        Torch.TorchRuntime.EnsureTrainingPlatform();
        observer ??= NullPipelineObserver.Instance;
        request.Head.Validate();
        request.FineTune?.Validate();
        var timings = new StageTimings();
        var service = new DatasetService(request.Workspace);
        ScanResult scan;
        using (timings.Measure("scan")) scan = await ScanStep.RunAsync(service, request.DataDir, request.Scan, observer, ct);
        observer.OnMessage(PipelinePhase.Scan, ScanStep.Summary(scan, request.Workspace));
        ScanStep.WarnProblems(scan, observer);

        ct.ThrowIfCancellationRequested();
        var split = timings.Measure("split", () => service.Split(request.SplitOptions));
        if (split.Assigned > 0) observer.OnMessage(PipelinePhase.Split, $"split {split.Assigned} new items: train {split.Train}, val {split.Val}, test {split.Test}");
        WarnTimeBlocked(split, observer);
        if (request.TrainOnly)
            observer.OnMessage(PipelinePhase.Split, "training-only data: 15% of it (whole sources, per class) validates the epochs and the \"unknown\" thresholds; " +
                                                    "there is no test split, so evaluate on your own test folder with 'lookout eval'");
        var items = ScanStep.UsableItems(service, request.DataDir);

        TrainResult result;
        if (ScratchDecision(request, items, observer) is { } small)
        {
            var scratchRun = new RunStore(request.Workspace.RunsDir).Create();
            result = await scratchRun.RecordingFailureAsync(() => new ScratchTrainingService().RunAsync(request.Head, request.Scratch, items, small.Width, small.Height, scratchRun, observer, ct));
        }
        else
        {
            observer.OnMessage(PipelinePhase.Embed, $"backbone {request.Backbone} (converting once if needed)");
            var backbone = timings.Measure("backbone", () => BackboneResolver.Resolve(request.Backbone));
            ct.ThrowIfCancellationRequested();
            using var cache = EmbedStep.OpenCache(request.Workspace);
            var run = new RunStore(request.Workspace.RunsDir).Create();
            if (request.FineTune is { } fineTune)
            {
                var plan = new FineTunePlan(request.Backbone, fineTune, request.Augment, DatasetManifest.Hash(items));
                observer.OnMessage(PipelinePhase.Train, $"run {run.Id}: fine-tuning; if it is interrupted, continue with 'lookout train --resume {run.Id}'");
                result = await run.RecordingFailureAsync(() => new FineTuneService(cache).RunAsync(request.Head, plan, items, backbone, run, observer, ct));
            }
            else result = await run.RecordingFailureAsync(() => new TrainingService(cache).RunAsync(request.Head, items, backbone, run, observer, ct));
        }
        result = result with { Timings = [.. timings.Stages, .. result.Timings] };
        return new TrainPipelineResult(scan, split, result.WithScanProblems(request.DataDir, scan));
    }

    /// <summary>Continues a killed or stopped fine-tuning run on the workspace's current catalog (which must not have changed).</summary>
    public static async Task<TrainResult> ResumeAsync(ResumeRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        Torch.TorchRuntime.EnsureTrainingPlatform();
        var plan = FineTuneService.ReadPlan(request.Run);
        var items = new DatasetService(request.Workspace).Snapshot();
        var backbone = BackboneResolver.Resolve(plan.Backbone);
        using var cache = EmbedStep.OpenCache(request.Workspace);
        return await request.Run.RecordingFailureAsync(() => new FineTuneService(cache).ResumeAsync(request.Run, items, backbone, observer, ct));
    }

    /// <summary>
    /// Finishes a run that had exported its model when a stop came (between the export and its test evaluation): the
    /// trained model is kept, and the test split is evaluated if that was not written yet. Training it again would throw
    /// away minutes of fine-tuning for seconds of evaluation.
    /// </summary>
    public static async Task<RunFolder> FinishExportedAsync(ResumeRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        observer ??= NullPipelineObserver.Instance;
        var run = request.Run;
        if (!File.Exists(run.ModelPath)) throw new LookoutException($"run {run.Id} has no exported model to finish");
        if (File.Exists(run.EvalJsonPath)) return run;
        var items = new DatasetService(request.Workspace).Snapshot();
        if (items.Any(i => i.Split == Split.Test))
        {
            var test = await EvaluationService.EvaluateAsync(run.ModelPath, items, Split.Test, TrainingService.EvaluateProgress(observer), ct);
            run.WriteEvaluation(test);
            observer.OnMessage(PipelinePhase.Evaluate, $"test accuracy {ReportText.Pct(test.Accuracy)} ({test.Correct}/{test.Count})");
        }
        return run;
    }

    /// <summary>A class whose few sources were split by time has a test set that is its own training video, later: say so.</summary>
    private static void WarnTimeBlocked(SplitResult split, IPipelineObserver observer)
    {
        foreach (var t in split.TimeBlocked)
            observer.OnWarning(PipelinePhase.Split, $"class '{t.Label}' has only {t.Sources} source(s): its video frames were split by time (train, then val, then test) " +
                                                    $"with {t.Excluded} frame(s) left out as gaps between the blocks; add more clips of it for an honest test");
    }

    /// <summary>The native input size when this run trains a compact CNN from scratch, else null (and a hint when it would help).</summary>
    internal static SmallImageDecision? ScratchDecision(TrainRequest request, IReadOnlyList<LabeledImage> items, IPipelineObserver observer)
    {
        if (request.FromScratch == FromScratch.Off || request.FineTune is not null) return null;
        var train = items.Where(i => i.Split == Split.Train).ToList();
        var decision = SmallImagePolicy.Decide(SmallImagePolicy.SampleSizes([.. train.Select(i => i.Path)]), train.Count, train.Select(i => i.Label).Distinct().Count());
        if (decision.Width == 0) return null;
        if (request.FromScratch == FromScratch.On || (decision.FromScratch && !request.BackboneAskedFor))
        {
            observer.OnMessage(PipelinePhase.Train, $"{decision.Reason}: training a compact CNN from scratch at {decision.Width}x{decision.Height} " +
                                                    "(--from-scratch off uses the pretrained backbone instead)");
            return decision;
        }
        if (decision.FromScratch)
            observer.OnMessage(PipelinePhase.Train, $"{decision.Reason}: a compact CNN trained from scratch would likely beat the pretrained backbone here (--from-scratch on)");
        return null;
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Pipelines.Steps;
using Lookout.Core.Runs;

namespace Lookout.Core.Pipelines.Train;

/// <summary>
/// <c>train</c> (like <c>yolo classify train data=...</c>): scan the folder (incremental), split what is unassigned,
/// then train a run (head on cached embeddings, or probe + fine-tune) that embeds, fits, calibrates "unknown", exports
/// one ONNX file and evaluates it on the test split. <see cref="ResumeAsync"/> continues a stopped fine-tuning run.
/// </summary>
public static class TrainPipeline
{
    public static async Task<TrainPipelineResult> RunAsync(TrainRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        observer ??= NullPipelineObserver.Instance;
        request.Head.Validate();
        request.FineTune?.Validate();
        var service = new DatasetService(request.Workspace);
        var scan = await ScanStep.RunAsync(service, request.DataDir, request.Scan, observer, ct);
        observer.OnMessage(PipelinePhase.Scan, ScanStep.Summary(scan, request.Workspace));
        ScanStep.WarnProblems(scan, observer);

        ct.ThrowIfCancellationRequested();
        var split = service.Split(request.SplitOptions);
        if (split.Assigned > 0) observer.OnMessage(PipelinePhase.Split, $"split {split.Assigned} new items: train {split.Train}, val {split.Val}, test {split.Test}");
        var items = ScanStep.UsableItems(service, request.DataDir);

        observer.OnMessage(PipelinePhase.Embed, $"backbone {request.Backbone} (converting once if needed)");
        var backbone = BackboneResolver.Resolve(request.Backbone);
        ct.ThrowIfCancellationRequested();
        using var cache = EmbedStep.OpenCache(request.Workspace);
        var run = new RunStore(request.Workspace.RunsDir).Create();
        TrainResult result;
        if (request.FineTune is { } fineTune)
        {
            var plan = new FineTunePlan(request.Backbone, fineTune, request.Augment, DatasetManifest.Hash(items));
            observer.OnMessage(PipelinePhase.Train, $"run {run.Id}: fine-tuning; if it is interrupted, continue with 'lookout train --resume {run.Id}'");
            result = await new FineTuneService(cache).RunAsync(request.Head, plan, items, backbone, run, observer, ct);
        }
        else result = await new TrainingService(cache).RunAsync(request.Head, items, backbone, run, observer, ct);
        return new TrainPipelineResult(scan, split, result.WithScanProblems(request.DataDir, scan));
    }

    /// <summary>Continues a killed or stopped fine-tuning run on the workspace's current catalog (which must not have changed).</summary>
    public static async Task<TrainResult> ResumeAsync(ResumeRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        var plan = FineTuneService.ReadPlan(request.Run);
        var items = new DatasetService(request.Workspace).Snapshot();
        var backbone = BackboneResolver.Resolve(plan.Backbone);
        using var cache = EmbedStep.OpenCache(request.Workspace);
        return await new FineTuneService(cache).ResumeAsync(request.Run, items, backbone, observer, ct);
    }
}

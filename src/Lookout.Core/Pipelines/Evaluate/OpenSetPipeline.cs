using Lookout.Core.Datasets;
using Lookout.Core.Evaluation.OpenSet;
using Lookout.Core.IO;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Pipelines.Steps;
using Lookout.Core.Runs;
using Lookout.Core.Training;

namespace Lookout.Core.Pipelines.Evaluate;

/// <summary>Measure "unknown" on classes the run's recipe never saw: <paramref name="HeldOut"/> are left out of a retrained head.</summary>
public sealed record OpenSetRequest(Workspace Workspace, RunFolder Run, IReadOnlyList<string> HeldOut);

/// <summary>The open-set numbers and the file they were written to (<c>eval-openset.json</c> in the run folder).</summary>
public sealed record OpenSetOutcome(OpenSetResult Result, string Path);

/// <summary>
/// <c>eval --holdout-classes a,b</c>: the run's recipe (backbone, options) retrained on cached embeddings without some
/// classes, calibrated, then asked about those classes and the known test images.
/// </summary>
public static class OpenSetPipeline
{
    public const string FileName = "eval-openset.json";

    public static async Task<OpenSetOutcome> RunAsync(OpenSetRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        observer ??= NullPipelineObserver.Instance;
        var run = request.Run;
        var manifest = run.ReadJson<RunManifest>(run.ManifestPath) ?? throw new LookoutException($"run {run.Id} has no manifest.json");
        var options = run.ReadJson<TrainOptions>(run.OptionsPath) ?? TrainOptions.Default;
        var items = new DatasetService(request.Workspace).Snapshot();
        var backbone = BackboneResolver.ResolveRecorded(manifest.Backbone);
        var (embedded, _) = await EmbedStep.RunAsync(items, backbone, request.Workspace, observer, ct);
        ct.ThrowIfCancellationRequested();
        var calibration = new CalibrationOptions { TargetKeep = options.UnknownKeep > 0 ? options.UnknownKeep : 0.95 };
        var result = OpenSetEvaluator.Evaluate(embedded, request.HeldOut, options, calibration, ct);
        var path = System.IO.Path.Combine(run.Dir, FileName);
        AtomicFile.WriteAllText(path, LookoutJson.Serialize(result));
        return new OpenSetOutcome(result, path);
    }
}

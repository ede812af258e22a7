using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Evaluation.Walkthroughs;
using Lookout.Core.Evaluation.Robustness;
using Lookout.Core.Inference;
using Lookout.Core.IO;
using Lookout.Core.Pipelines.Steps;
using Lookout.Core.Pipelines.Train;
using Lookout.Core.Runs;

namespace Lookout.Core.Pipelines.Evaluate;

/// <summary>Evaluate a run's exported model on one split of its workspace.</summary>
public sealed record EvalRequest(Workspace Workspace, RunFolder Run)
{
    public Split Split { get; init; } = Split.Test;
    /// <summary>Also measure accuracy under brightness, contrast, blur, noise, JPEG quality and rotation.</summary>
    public bool Robustness { get; init; }
}

/// <summary>The report, and where it was written: <c>{Stem}.json</c>, <c>{Stem}.md</c>, <c>{Stem}-confusion.png</c>.</summary>
public sealed record EvalResult(EvaluationReport Report, string Stem, RobustnessReport? Robustness = null)
{
    /// <summary>Scores on the workspace's segmented walk-throughs (also saved as <c>walkthroughs.json</c> in the run).</summary>
    public IReadOnlyList<WalkthroughResult> Walkthroughs { get; init; } = [];

    public string JsonPath => Stem + ".json";
    public string MarkdownPath => Stem + ".md";
    public string ConfusionPngPath => Stem + "-confusion.png";
}

/// <summary>
/// <c>eval</c>: the run's exported model (the file users get) scored on a split of the workspace's catalog, written to the
/// run folder as <c>eval-{split}.json/.md/-confusion.png</c>; and on the workspace's segmented walk-throughs (walkthroughs.json).
/// </summary>
public static class EvalPipeline
{
    /// <summary>The unit robustness progress counts in (corruption levels scored).</summary>
    public const string RobustnessLevels = "levels";

    public static async Task<EvalResult> RunAsync(EvalRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        observer ??= NullPipelineObserver.Instance;
        var items = new DatasetService(request.Workspace).Snapshot();
        if (!items.Any(i => i.Split == request.Split)) throw new LookoutException($"the workspace has no {request.Split} items");
        if (!File.Exists(request.Run.ModelPath)) throw new LookoutException($"run {request.Run.Id} has no model.onnx (did training finish?)");
        var report = await EvaluationService.EvaluateAsync(request.Run.ModelPath, items, request.Split, TrainingService.EvaluateProgress(observer), ct);
        var stem = Path.Combine(request.Run.Dir, $"eval-{request.Split.ToString().ToLowerInvariant()}");
        var result = new EvalResult(report, stem);
        AtomicFile.WriteAllText(result.JsonPath, ReportJson.Render(report));
        AtomicFile.WriteAllText(result.MarkdownPath, ReportText.Markdown(report));
        ConfusionMatrixPlot.SavePng(report, result.ConfusionPngPath);
        result = result with { Walkthroughs = await WalkthroughStep.RunAsync(request.Workspace, request.Run, observer, ct) };
        if (!request.Robustness) return result;

        using var model = ClassifierModel.Load(request.Run.ModelPath);
        int levels = Corruptions.Standard.Sum(c => c.Levels.Count);
        var robust = await RobustnessEvaluator.EvaluateAsync(model, items, request.Split,
            progress: new SyncProgress<int>(n => observer.OnProgress(new PhaseProgress(PipelinePhase.Evaluate, RobustnessLevels, n, levels))), ct: ct);
        RobustnessOutput.Save(robust, request.Run.Dir);
        return result with { Robustness = robust };
    }
}

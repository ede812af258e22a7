using Lookout.Core.Evaluation.Walkthroughs;
using Lookout.Core.Inference;
using Lookout.Core.Runs;

namespace Lookout.Core.Pipelines.Evaluate;

/// <summary>
/// Scores a run's exported model on every segmented walk-through of its workspace (the hand-labelled validation videos
/// of the studio) and saves the results in the run folder, so <c>eval</c> prints them and the report shows them.
/// </summary>
internal static class WalkthroughStep
{
    public static async Task<IReadOnlyList<WalkthroughResult>> RunAsync(Workspace workspace, RunFolder run, IPipelineObserver observer, CancellationToken ct)
    {
        var walkthroughs = WalkthroughCatalog.ListIn(workspace).Where(w => w.Segments.Count > 0).ToList();
        if (walkthroughs.Count == 0) return [];
        var results = new List<WalkthroughResult>();
        using var model = ClassifierModel.Load(run.ModelPath);
        foreach (var w in walkthroughs)
        {
            var video = WalkthroughCatalog.PathOf(workspace, w);
            if (!File.Exists(video))
            {
                observer.OnWarning(PipelinePhase.Evaluate, $"walk-through '{w.Name}' is missing its video ({video}); skipped");
                continue;
            }
            observer.OnMessage(PipelinePhase.Evaluate, $"scoring walk-through '{w.Name}'");
            var result = new WalkthroughResult(w.Id, w.Name, await WalkthroughEvaluator.EvaluateAsync(model, video, w.Segments, ct: ct).ConfigureAwait(false));
            observer.OnMessage(PipelinePhase.Evaluate, WalkthroughResults.Summary(result));
            results.Add(result);
        }
        WalkthroughResults.Save(run.Dir, results);
        return results;
    }
}

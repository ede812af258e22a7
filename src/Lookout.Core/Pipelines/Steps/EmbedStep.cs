using Lookout.Core.Datasets;
using Lookout.Core.Embeddings;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;

namespace Lookout.Core.Pipelines.Steps;

/// <summary>Embeds items through the workspace's cache (<c>cache/embeddings.db</c>); unreadable items are warned about, not thrown.</summary>
internal static class EmbedStep
{
    public const int WarningsShown = 10;

    public static EmbeddingCache OpenCache(Workspace workspace) => new(Path.Combine(workspace.EnsureCreated().CacheDir, "embeddings.db"));

    public static async Task<EmbeddedItemsResult> RunAsync(
        IReadOnlyList<LabeledImage> items, Backbone backbone, Workspace workspace, IPipelineObserver observer, CancellationToken ct)
    {
        using var cache = OpenCache(workspace);
        var result = await EmbeddedItems.ExtractAsync(items, backbone, cache, Progress(observer), ct).ConfigureAwait(false);
        foreach (var e in result.Errors.Take(WarningsShown)) observer.OnWarning(PipelinePhase.Embed, $"skipped {e.Path}: {e.Reason}");
        return result;
    }

    public static IProgress<BatchProgress> Progress(IPipelineObserver observer) => new SyncProgress<BatchProgress>(p =>
        observer.OnProgress(new PhaseProgress(PipelinePhase.Embed, PhaseProgress.Images, p.Done, p.Total)));
}

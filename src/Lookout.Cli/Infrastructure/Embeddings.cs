using Lookout.Core.Datasets;
using Lookout.Core.Models.Backbones;
using Lookout.Core;
using Lookout.Core.Embeddings;

namespace Lookout.Cli.Infrastructure;

/// <summary>Embeds a workspace's items through its cache (<c>cache/embeddings.db</c>) with a progress bar.</summary>
public static class Embeddings
{
    public static Task<(IReadOnlyList<EmbeddedItem> Items, IReadOnlyList<ItemError> Errors)> ExtractAsync(
        IReadOnlyList<LabeledImage> items, Backbone backbone, Workspace workspace, CliOutput output, CancellationToken ct) =>
        ProgressSink.RunAsync(output, async sink =>
        {
            using var cache = new EmbeddingCache(Path.Combine(workspace.EnsureCreated().CacheDir, "embeddings.db"));
            var result = await EmbeddedItems.ExtractAsync(items, backbone, cache,
                new Progress<Lookout.Core.Models.BatchProgress>(p => sink.Report("embeddings", p.Done, p.Total, "img")), ct);
            foreach (var e in result.Errors.Take(10)) output.Warn($"skipped {e.Path}: {e.Reason}");
            return result;
        });
}

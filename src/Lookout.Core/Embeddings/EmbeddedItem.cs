using Lookout.Core.Datasets;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;

namespace Lookout.Core.Embeddings;

/// <summary>A labelled image with its backbone embedding: the unit of work for everything that runs on cached features.</summary>
public sealed record EmbeddedItem(LabeledImage Item, float[] Embedding);

/// <summary>The items that were embedded, and those that could not be (with the reason).</summary>
public sealed record EmbeddedItemsResult(IReadOnlyList<EmbeddedItem> Items, IReadOnlyList<ItemError> Errors);

public static class EmbeddedItems
{
    /// <summary>Embeds <paramref name="items"/> (through the cache); images that fail are returned as errors, not thrown.</summary>
    public static async Task<EmbeddedItemsResult> ExtractAsync(
        IReadOnlyList<LabeledImage> items, Backbone backbone, EmbeddingCache? cache, IProgress<BatchProgress>? progress = null,
        CancellationToken ct = default)
    {
        using var extractor = new EmbeddingExtractor(backbone, cache);
        var set = await extractor.ExtractAsync(items, progress, ct).ConfigureAwait(false);
        var ok = new List<EmbeddedItem>(items.Count);
        for (int i = 0; i < items.Count; i++)
            if (set.Vectors[i] is { } v) ok.Add(new EmbeddedItem(items[i], v));
        return new EmbeddedItemsResult(ok, set.Errors);
    }
}

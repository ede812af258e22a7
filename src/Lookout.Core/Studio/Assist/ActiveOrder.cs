namespace Lookout.Core.Studio.Assist;

/// <summary>An inbox item as the ordering sees it: its embedding (unit length) and the model's suggestion, if any.</summary>
public sealed record PoolItem(long Id, float[] Embedding, Suggestion? Suggestion);

/// <summary>Where an item landed in the "most useful first" order, and why.</summary>
public sealed record RankedItem(long Id, int Position, string Reason);

/// <summary>The order and the one-line reason for the strategy chosen.</summary>
public sealed record ActiveOrderResult(IReadOnlyList<RankedItem> Items, string Strategy);

/// <summary>
/// "Most useful first" for the inbox. While the model is absent or weak (too few labels per class, or classes it
/// does not know), diversity: k-center greedy on the embeddings, covering what is already labelled. Once the model
/// is usable, uncertainty: the smallest margin between the two best classes first, thinned by diversity (an item
/// almost identical to one already placed earlier waits), since "the most uncertain samples are very similar".
/// </summary>
public static class ActiveOrder
{
    /// <summary>Labelled pictures per class below which the model counts as weak (cold start).</summary>
    public const int MinPerClass = 20;
    /// <summary>Items ranked by diversity at most (k-center is O(pool x picks)); the rest keep upload order.</summary>
    public const int MaxDiversityPicks = 300;
    /// <summary>Cosine above which an uncertain item counts as a repeat of an earlier one.</summary>
    public const float RepeatCosine = 0.97f;

    /// <param name="weakBecause">Null when the model is usable; else why it is not (shown to the user).</param>
    public static ActiveOrderResult Order(IReadOnlyList<PoolItem> pool, IReadOnlyList<float[]> labelled, string? weakBecause)
    {
        if (pool.Count == 0) return new([], "Nothing in the inbox.");
        return weakBecause is not null || pool.All(p => p.Suggestion is null)
            ? Diversity(pool, labelled, weakBecause ?? "no suggestions yet")
            : Uncertainty(pool);
    }

    /// <summary>Why the model is too weak to trust its uncertainty, or null when it is usable.</summary>
    public static string? Weakness(ProjectModel? model, IReadOnlyDictionary<string, int> labelledPerClass)
    {
        if (model is null) return "there is no model yet";
        var missing = labelledPerClass.Keys.Where(c => labelledPerClass[c] > 0 && !model.Labels.Contains(c)).ToList();
        if (missing.Count > 0) return $"{model.Run} does not know class '{missing[0]}'";
        if (labelledPerClass.Count == 0) return "nothing is labelled yet";
        var (thin, count) = labelledPerClass.MinBy(kv => kv.Value) is var kv ? (kv.Key, kv.Value) : ("", 0);
        return count < MinPerClass ? $"class '{thin}' has only {count} labelled pictures (fewer than {MinPerClass})" : null;
    }

    private static ActiveOrderResult Diversity(IReadOnlyList<PoolItem> pool, IReadOnlyList<float[]> labelled, string why)
    {
        var picks = KCenterGreedy.Order(pool.Select(p => p.Embedding).ToList(), labelled, MaxDiversityPicks);
        var ranked = new List<RankedItem>(pool.Count);
        var seen = new HashSet<int>();
        foreach (var pick in picks)
        {
            seen.Add(pick.Index);
            var reason = labelled.Count == 0 && ranked.Count == 0
                ? "diversity: the first pick of a cover of the whole inbox"
                : $"diversity: {pick.Distance:0.00} from the nearest labelled or earlier pick (larger = newer kind of picture)";
            ranked.Add(new RankedItem(pool[pick.Index].Id, ranked.Count + 1, reason));
        }
        for (int i = 0; i < pool.Count; i++)
            if (!seen.Contains(i)) ranked.Add(new RankedItem(pool[i].Id, ranked.Count + 1, $"after the first {MaxDiversityPicks} diversity picks, in upload order"));
        return new(ranked, $"Diversity first (k-center greedy on embeddings), because {why}.");
    }

    private static ActiveOrderResult Uncertainty(IReadOnlyList<PoolItem> pool)
    {
        var byMargin = pool.Select((p, i) => (p, i)).OrderBy(t => t.p.Suggestion?.Margin ?? double.MaxValue).ThenBy(t => t.i).ToList();
        var placed = new List<(float[] Embedding, int Position)>();
        var ranked = new List<RankedItem>(pool.Count);
        var deferred = new List<(PoolItem Item, int Like)>();
        foreach (var (p, _) in byMargin)
        {
            var s = p.Suggestion;
            var twin = placed.FirstOrDefault(q => VectorMath.Dot(q.Embedding, p.Embedding) >= RepeatCosine);
            if (twin.Embedding is not null) { deferred.Add((p, twin.Position)); continue; }
            ranked.Add(new RankedItem(p.Id, ranked.Count + 1, s is null
                ? "no suggestion"
                : $"uncertain: {s.Label} {Pct(s.Score)} vs {s.Second ?? "-"} (margin {Pct(s.Margin)})"));
            placed.Add((p.Embedding, ranked.Count));
        }
        foreach (var (item, like) in deferred)
            ranked.Add(new RankedItem(item.Id, ranked.Count + 1,
                $"uncertain (margin {Pct(item.Suggestion?.Margin ?? 0)}) but nearly the same as #{like}, so later"));
        return new(ranked, "Uncertainty first: smallest margin between the model's two best classes, near-repeats moved back.");
    }

    private static string Pct(double x) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{x * 100:0}%");
}

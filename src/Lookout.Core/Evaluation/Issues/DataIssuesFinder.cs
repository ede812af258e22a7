using Lookout.Core.Training;
using Lookout.Core.Embeddings;
using Lookout.Core.Models.Heads;
using Lookout.Core.Datasets;

namespace Lookout.Core.Evaluation.Issues;

/// <summary>
/// <c>lookout data issues</c> on embedded items: suspect labels (confident learning on out-of-fold probabilities),
/// near-duplicates across splits (leakage), and outliers (far from their own class). Pure apart from the head
/// training; the caller embeds the images (through the cache) first.
/// </summary>
public static class DataIssuesFinder
{
    public static DataIssuesReport Analyze(IReadOnlyList<EmbeddedItem> items, DataIssuesOptions? options = null, TrainOptions? train = null,
        CancellationToken ct = default)
    {
        options = (options ?? new DataIssuesOptions()).Validate();
        train = (train ?? TrainOptions.Default) with { Epochs = options.Epochs, Patience = 0, Seed = options.Seed };
        var labels = items.Select(i => i.Item.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        if (labels.Count < 2) throw new LookoutException($"finding label issues needs at least 2 labels; found {labels.Count}");
        int folds = Math.Min(options.Folds, items.GroupBy(i => i.Item.Label).Min(g => g.Select(i => i.Item.Group).Distinct().Count()));
        if (folds < 2) throw new LookoutException("every label needs at least 2 images (from different videos) for cross-validation");

        var classOf = labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var given = items.Select(i => classOf[i.Item.Label]).ToArray();
        var probs = OutOfFold.Probabilities(items, labels, folds, train, ct);
        var thresholds = ConfidentLearning.Thresholds(given, probs, labels.Count);
        var suspects = ConfidentLearning.OffDiagonal(given, probs, thresholds).Select(s =>
        {
            var it = items[s.Index].Item;
            return new SuspectLabel(it.Path, it.Label, Name(it.Split), labels[s.Suggested], probs[s.Index][given[s.Index]], probs[s.Index][s.Suggested], s.Margin);
        }).ToList();
        double oofAccuracy = Enumerable.Range(0, items.Count).Count(i => HeadForward.ArgMax(probs[i]) == given[i]) / (double)items.Count;

        var geometry = new EmbeddingGeometry(items.Select(i => i.Embedding).ToList());
        return new DataIssuesReport(items.Count, folds, oofAccuracy,
            labels.Select((l, j) => new ClassConfidence(l, given.Count(g => g == j), thresholds[j])).ToList(),
            suspects, NearDuplicates(items, geometry, options.DuplicateSimilarity), Outliers(items, geometry, options.OutlierZ));
    }

    /// <summary>
    /// Pairs in different (assigned) splits above the similarity bar, most similar first. O(n^2) SIMD dot products,
    /// rows spread over the cores (a few seconds for ten thousand images).
    /// </summary>
    public static IReadOnlyList<NearDuplicatePair> NearDuplicates(IReadOnlyList<EmbeddedItem> items, EmbeddingGeometry geometry, float minSimilarity, int max = 1000)
    {
        var u = geometry.Units;
        var perRow = new List<NearDuplicatePair>?[items.Count];
        Parallel.For(0, items.Count, i =>
        {
            var a = items[i].Item;
            if (a.Split == Split.Unassigned) return;
            for (int j = i + 1; j < items.Count; j++)
            {
                var b = items[j].Item;
                if (b.Split == a.Split || b.Split == Split.Unassigned) continue;
                bool identical = a.Sha256.Length > 0 && a.Sha256 == b.Sha256;
                float sim = identical ? 1f : EmbeddingGeometry.Dot(u[i], u[j]);
                if (sim < minSimilarity) continue;
                var (x, y) = a.Split < b.Split ? (a, b) : (b, a); // train first, then val, then test
                (perRow[i] ??= []).Add(new NearDuplicatePair(x.Path, Name(x.Split), x.Label, y.Path, Name(y.Split), y.Label, Math.Min(sim, 1f), identical));
            }
        });
        return perRow.Where(r => r is not null).SelectMany(r => r!)
            .OrderByDescending(p => p.Similarity).ThenBy(p => p.PathA, StringComparer.Ordinal).ThenBy(p => p.PathB, StringComparer.Ordinal).Take(max).ToList();
    }

    /// <summary>
    /// Similarity of each item to its class centroid (leaving the item out of it), scored against the class's median
    /// and MAD, so a class that is naturally spread does not flood the list.
    /// </summary>
    public static IReadOnlyList<OutlierItem> Outliers(IReadOnlyList<EmbeddedItem> items, EmbeddingGeometry geometry, float maxZ)
    {
        var found = new List<OutlierItem>();
        var u = geometry.Units;
        foreach (var cls in Enumerable.Range(0, items.Count).GroupBy(i => items[i].Item.Label))
        {
            var idx = cls.ToList();
            if (idx.Count < 5) continue; // too few to say what the class looks like
            int d = u[idx[0]].Length;
            var sum = new float[d];
            foreach (var i in idx) for (int k = 0; k < d; k++) sum[k] += u[i][k];
            var sims = idx.Select(i =>
            {
                var rest = new float[d];
                for (int k = 0; k < d; k++) rest[k] = sum[k] - u[i][k];
                float norm = MathF.Sqrt(EmbeddingGeometry.Dot(rest, rest));
                return norm > 0 ? EmbeddingGeometry.Dot(u[i], rest) / norm : 0f;
            }).ToArray();
            float median = Median(sims), mad = Median(sims.Select(s => Math.Abs(s - median)).ToArray());
            float scale = 1.4826f * mad + 1e-4f;
            for (int k = 0; k < idx.Count; k++)
            {
                float z = (sims[k] - median) / scale;
                var it = items[idx[k]].Item;
                if (z <= maxZ) found.Add(new OutlierItem(it.Path, it.Label, Name(it.Split), sims[k], z));
            }
        }
        return found.OrderBy(o => o.RobustZ).ThenBy(o => o.Path, StringComparer.Ordinal).ToList();
    }

    private static float Median(float[] v)
    {
        var s = v.Order().ToArray();
        return s.Length == 0 ? 0 : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static string Name(Split s) => s.ToString().ToLowerInvariant();
}

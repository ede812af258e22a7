using Lookout.Core.Training;
using Lookout.Core.Embeddings;
using Lookout.Core.Models.Heads;

namespace Lookout.Core.Evaluation.Issues;

/// <summary>
/// Out-of-fold probabilities: k folds, stratified by label and grouped by leakage group (frames of one video stay in
/// one fold, so a near-copy never vouches for its own label); each fold is predicted by a head trained on the others
/// with the same trainer <c>train</c> uses. Cheap because it runs on cached embeddings.
/// </summary>
public static class OutOfFold
{
    public static float[][] Probabilities(IReadOnlyList<EmbeddedItem> items, IReadOnlyList<string> labels, int folds, TrainOptions options,
        CancellationToken ct = default)
    {
        var classOf = labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var fold = AssignFolds(items, folds, options.Seed);
        var probs = new float[items.Count][];
        for (int f = 0; f < folds; f++)
        {
            ct.ThrowIfCancellationRequested();
            var trainIdx = Enumerable.Range(0, items.Count).Where(i => fold[i] != f).ToList();
            var testIdx = Enumerable.Range(0, items.Count).Where(i => fold[i] == f).ToList();
            if (testIdx.Count == 0) continue;
            var train = new EmbeddingData(trainIdx.Select(i => items[i].Embedding).ToArray(), trainIdx.Select(i => classOf[items[i].Item.Label]).ToArray());
            var head = HeadTrainer.Fit(train, null, labels, options with { Seed = options.Seed + f }, ct: ct).Head;
            foreach (var i in testIdx) probs[i] = head.Probabilities(items[i].Embedding);
        }
        return probs;
    }

    /// <summary>Groups dealt round-robin per label in a seeded order: folds get near-equal shares of every label.</summary>
    public static int[] AssignFolds(IReadOnlyList<EmbeddedItem> items, int folds, int seed)
    {
        var rng = new Random(seed);
        var groupFold = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var byLabel in items.GroupBy(i => i.Item.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var groups = byLabel.Select(i => i.Item.Group).Distinct().Where(g => !groupFold.ContainsKey(g)).Order(StringComparer.Ordinal).ToArray();
            rng.Shuffle(groups);
            int next = rng.Next(folds);
            foreach (var g in groups) groupFold[g] = next++ % folds;
        }
        return items.Select(i => groupFold[i.Item.Group]).ToArray();
    }
}


namespace Lookout.Core.Evaluation;

/// <summary>Pure computation of an <see cref="EvaluationReport"/> from true labels and probability rows.</summary>
public static class ReportBuilder
{
    private const double Z = 1.959963984540054; // 95% two-sided

    /// <summary>One scored input: its path, the true label index into the model's labels, and the model's probabilities.</summary>
    public readonly record struct Scored(string Path, int Label, float[] Probabilities);

    public static EvaluationReport Build(string model, string split, IReadOnlyList<string> labels, IReadOnlyList<Scored> items,
        IReadOnlyList<ItemError> errors, int topLosses = 16, int mostConfused = 10)
    {
        int c = labels.Count, n = items.Count;
        var confusion = Enumerable.Range(0, c).Select(_ => new int[c]).ToArray();
        var scored = new List<ScoredItem>(n);
        int[] topKs = c > 5 ? [1, 3, 5] : c > 2 ? [1, 2] : [1];
        var topKCorrect = new int[topKs.Length];
        double lossSum = 0;
        foreach (var it in items)
        {
            var p = it.Probabilities;
            int pred = ArgMax(p);
            confusion[it.Label][pred]++;
            int rank = p.Count(v => v > p[it.Label]); // classes strictly better than the true one
            for (int k = 0; k < topKs.Length; k++) if (rank < topKs[k]) topKCorrect[k]++;
            double loss = -Math.Log(Math.Max(p[it.Label], 1e-12));
            lossSum += loss;
            scored.Add(new ScoredItem(it.Path, labels[it.Label], labels[pred], p[pred], p[it.Label], loss));
        }

        int correct = Enumerable.Range(0, c).Sum(i => confusion[i][i]);
        var perClass = Enumerable.Range(0, c).Select(i =>
        {
            int support = confusion[i].Sum();
            int predicted = confusion.Sum(row => row[i]);
            int tp = confusion[i][i];
            double precision = Ratio(tp, predicted), recall = Ratio(tp, support);
            double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            return new ClassMetrics(labels[i], support, predicted, tp, precision, Wilson(tp, predicted), recall, Wilson(tp, support), f1);
        }).ToList();
        var present = perClass.Where(m => m.Support > 0).ToList();

        var pairs = new List<ConfusedPair>();
        for (int a = 0; a < c; a++)
            for (int p = 0; p < c; p++)
                if (a != p && confusion[a][p] > 0) pairs.Add(new ConfusedPair(labels[a], labels[p], confusion[a][p]));

        return new EvaluationReport(
            model, split, labels.ToArray(), n, correct, Ratio(correct, n), Wilson(correct, n),
            topKs.Select((k, i) => new TopKAccuracy(k, topKCorrect[i], Ratio(topKCorrect[i], n), Wilson(topKCorrect[i], n))).ToList(),
            present.Count > 0 ? present.Average(m => m.F1) : 0,
            n > 0 ? lossSum / n : double.NaN,
            perClass, confusion,
            pairs.OrderByDescending(x => x.Count).ThenBy(x => x.Actual, StringComparer.Ordinal).ThenBy(x => x.Predicted, StringComparer.Ordinal).Take(mostConfused).ToList(),
            scored.OrderByDescending(s => s.Loss).ThenBy(s => s.Path, StringComparer.Ordinal).Take(topLosses).ToList(),
            errors);
    }

    /// <summary>Wilson score interval: well-behaved at 0, 1 and small n, unlike the normal approximation.</summary>
    public static Interval Wilson(int successes, int n)
    {
        if (n == 0) return new Interval(0, 1);
        double p = (double)successes / n, z2 = Z * Z;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denom;
        double half = Z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    private static double Ratio(int a, int b) => b == 0 ? 0 : (double)a / b;

    private static int ArgMax(float[] p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }
}

namespace Lookout.Core.Evaluation.Issues;

/// <summary>
/// Confident learning (Northcutt et al., the idea behind cleanlab's find_label_issues), pure: per-class thresholds
/// t_j = mean out-of-fold P(j) over items labelled j; an item's confident label is the argmax among classes whose
/// probability reaches their threshold; items whose confident label differs from the given one are the
/// off-diagonal entries of the confident joint, ranked by margin P(confident) - P(given).
/// </summary>
public static class ConfidentLearning
{
    public static float[] Thresholds(int[] given, float[][] probs, int classes)
    {
        var sum = new double[classes];
        var count = new int[classes];
        for (int i = 0; i < given.Length; i++) { sum[given[i]] += probs[i][given[i]]; count[given[i]]++; }
        // A class with no items can never be confidently suggested.
        return Enumerable.Range(0, classes).Select(j => count[j] > 0 ? (float)(sum[j] / count[j]) : float.PositiveInfinity).ToArray();
    }

    /// <returns>(item index, confident label, margin) for each off-diagonal item, largest margin first.</returns>
    public static IReadOnlyList<(int Index, int Suggested, float Margin)> OffDiagonal(int[] given, float[][] probs, float[] thresholds)
    {
        var found = new List<(int, int, float)>();
        for (int i = 0; i < given.Length; i++)
        {
            int best = -1;
            for (int j = 0; j < thresholds.Length; j++)
                if (probs[i][j] >= thresholds[j] && (best < 0 || probs[i][j] > probs[i][best])) best = j;
            if (best >= 0 && best != given[i]) found.Add((i, best, probs[i][best] - probs[i][given[i]]));
        }
        return found.OrderByDescending(f => f.Item3).ThenBy(f => f.Item1).ToList();
    }
}


namespace Lookout.Core.Evaluation;

/// <summary>A 95% confidence interval for a proportion.</summary>
public sealed record Interval(double Low, double High);

public sealed record ClassMetrics(string Label, int Support, int Predicted, int TruePositives,
    double Precision, Interval PrecisionCi, double Recall, Interval RecallCi, double F1);

public sealed record TopKAccuracy(int K, int Correct, double Accuracy, Interval Ci);

/// <summary>How often true class <see cref="Actual"/> was predicted as <see cref="Predicted"/>.</summary>
public sealed record ConfusedPair(string Actual, string Predicted, int Count);

/// <summary>One scored item: its true label, the top prediction, and the cross-entropy loss on the true class.</summary>
public sealed record ScoredItem(string Path, string Label, string Predicted, float Score, float TrueProbability, double Loss);

/// <summary>
/// Everything an evaluation found, computed once as data. Renderers (JSON, Markdown, text, PNG) only format it.
/// Counts sit beside every rate, and rates carry Wilson 95% intervals, so small test sets are read honestly.
/// </summary>
public sealed record EvaluationReport(
    string Model,
    string Split,
    IReadOnlyList<string> Labels,
    int Count,
    int Correct,
    double Accuracy,
    Interval AccuracyCi,
    IReadOnlyList<TopKAccuracy> TopK,
    double MacroF1,
    double LogLoss,
    IReadOnlyList<ClassMetrics> PerClass,
    int[][] Confusion,
    IReadOnlyList<ConfusedPair> MostConfused,
    IReadOnlyList<ScoredItem> TopLosses,
    IReadOnlyList<ItemError> Errors)
{
    /// <summary>
    /// For a model with calibrated "unknown": how many scored images it would answer "unknown" (they still count in
    /// the metrics above by their top class). Null for an uncalibrated model.
    /// </summary>
    public int? CalledUnknown { get; init; }

    /// <summary>
    /// The model's classes with no image in this split: the headline accuracy says nothing about them, and every
    /// renderer names them beside it.
    /// </summary>
    public IReadOnlyList<string> MissingClasses => [.. PerClass.Where(m => m.Support == 0).Select(m => m.Label)];

    /// <summary>One sentence naming <see cref="MissingClasses"/>, or null when every class is present.</summary>
    public string? MissingClassesNote => MissingClasses.Count == 0 ? null
        : $"the {Split} set has no images of {string.Join(", ", MissingClasses)}: this accuracy covers only {Labels.Count - MissingClasses.Count} of the {Labels.Count} classes";

    /// <summary>Confusion matrix row (true label) by column (predicted label).</summary>
    public int ConfusionCount(string actual, string predicted) =>
        Confusion[IndexOf(actual)][IndexOf(predicted)];

    private int IndexOf(string label)
    {
        for (int i = 0; i < Labels.Count; i++) if (Labels[i] == label) return i;
        throw new ArgumentException($"Unknown label '{label}'.", nameof(label));
    }
}

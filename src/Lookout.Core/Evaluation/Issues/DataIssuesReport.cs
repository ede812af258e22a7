namespace Lookout.Core.Evaluation.Issues;

/// <summary>
/// An item whose given label disagrees with confident out-of-fold predictions. <see cref="Margin"/> =
/// P(suggested) - P(given): the larger, the more likely the label is wrong.
/// </summary>
public sealed record SuspectLabel(string Path, string Label, string Split, string Suggested, float GivenProbability, float SuggestedProbability, float Margin);

/// <summary>Two images in different splits that look the same (cosine of standardised embeddings): leakage.</summary>
public sealed record NearDuplicatePair(string PathA, string SplitA, string LabelA, string PathB, string SplitB, string LabelB, float Similarity, bool Identical);

/// <summary>An item far from its own class: similarity to the class centroid, and its robust z-score within the class.</summary>
public sealed record OutlierItem(string Path, string Label, string Split, float Similarity, float RobustZ);

/// <summary>Per-class self-confidence threshold t_j of confident learning, with the class's count.</summary>
public sealed record ClassConfidence(string Label, int Count, float Threshold);

/// <summary>Everything <c>lookout data issues</c> found, computed once as data; CSV/JSON/HTML renderers format it.</summary>
public sealed record DataIssuesReport(
    int Items,
    int Folds,
    double OutOfFoldAccuracy,
    IReadOnlyList<ClassConfidence> Classes,
    IReadOnlyList<SuspectLabel> SuspectLabels,
    IReadOnlyList<NearDuplicatePair> NearDuplicates,
    IReadOnlyList<OutlierItem> Outliers);

public sealed record DataIssuesOptions
{
    public int Folds { get; init; } = 5;
    /// <summary>Epochs per fold (no early stopping: there is no validation data inside a fold).</summary>
    public int Epochs { get; init; } = 30;
    public float DuplicateSimilarity { get; init; } = 0.98f;
    /// <summary>Robust z-score (median/MAD within the class) below which an item is called an outlier.</summary>
    public float OutlierZ { get; init; } = -3.5f;
    public int Seed { get; init; } = 42;

    public DataIssuesOptions Validate()
    {
        if (Folds < 2) throw new ArgumentException("Folds must be at least 2.", nameof(Folds));
        if (Epochs < 1) throw new ArgumentException("Epochs must be at least 1.", nameof(Epochs));
        if (DuplicateSimilarity is <= 0 or > 1) throw new ArgumentException("DuplicateSimilarity must be in (0, 1].", nameof(DuplicateSimilarity));
        return this;
    }
}

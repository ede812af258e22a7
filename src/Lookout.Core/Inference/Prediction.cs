namespace Lookout.Core.Inference;

/// <summary>(contract) One class and its probability.</summary>
public sealed record Prediction(string Label, float Score)
{
    /// <summary>The <paramref name="k"/> best classes (all when k is null), highest first; ties keep label order.</summary>
    public static IReadOnlyList<Prediction> Rank(IReadOnlyList<string> labels, float[] scores, int? k = null)
    {
        if (scores.Length != labels.Count)
            throw new InvalidOperationException($"model gave {scores.Length} scores for {labels.Count} labels");
        return Enumerable.Range(0, scores.Length)
            .OrderByDescending(i => scores[i]).ThenBy(i => i)
            .Take(k is { } top ? Math.Max(top, 1) : scores.Length)
            .Select(i => new Prediction(labels[i], scores[i]))
            .ToList();
    }
}

/// <summary>
/// The classification of one input: predictions sorted by score (top-k), the full probability vector in label
/// order, or the reason the input could not be classified.
/// </summary>
public sealed record ClassifyResult(string Source, IReadOnlyList<Prediction> Predictions, float[]? Probabilities, string? Error)
{
    public bool Ok => Error is null;
    public Prediction? Top => Predictions.Count > 0 ? Predictions[0] : null;
    /// <summary>The calibrated accept/unknown decision (null when the model has no thresholds or the input failed).</summary>
    public Rejection.RejectionDecision? Rejection { get; init; }
    /// <summary>True when the model is calibrated and the image looks like none of its classes.</summary>
    public bool Unknown => Rejection?.Unknown == true;
    /// <summary>The answer: the top label, or <c>unknown</c> when rejected; null when the input failed.</summary>
    public string? Label => Unknown ? Inference.Rejection.RejectionThresholds.UnknownLabel : Top?.Label;
}

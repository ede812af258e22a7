namespace Lookout.Core.Inference.Rejection;

/// <summary>Why a prediction was accepted or called unknown; the two scores are for the predicted class.</summary>
public sealed record RejectionDecision(bool Unknown, string Predicted, float Probability, float Similarity, string? Reason);

/// <summary>
/// Applies <see cref="RejectionThresholds"/> to one image's probabilities and embedding. Pure and thread-safe.
/// </summary>
public sealed class Rejector
{
    private readonly Dictionary<string, int> _index;

    public Rejector(RejectionThresholds thresholds)
    {
        Thresholds = thresholds;
        _index = thresholds.Classes.Select((c, i) => (c.Label, i)).ToDictionary(t => t.Label, t => t.i, StringComparer.Ordinal);
    }

    public RejectionThresholds Thresholds { get; }

    /// <param name="labels">The model's labels, in <paramref name="probs"/> order.</param>
    public RejectionDecision Decide(IReadOnlyList<string> labels, float[] probs, float[] embedding)
    {
        int best = 0;
        for (int i = 1; i < probs.Length; i++) if (probs[i] > probs[best]) best = i;
        var label = labels[best];
        if (!_index.TryGetValue(label, out var ci))
            return new RejectionDecision(false, label, probs[best], float.NaN, null); // uncalibrated class: never rejected
        var c = Thresholds.Classes[ci];
        float sim = Similarity(Normalise(embedding), c.Centroid);
        string? reason = probs[best] < c.MinProbability ? $"probability {probs[best]:0.000} < {c.MinProbability:0.000}"
            : sim < c.MinSimilarity ? $"similarity to '{label}' {sim:0.000} < {c.MinSimilarity:0.000}"
            : null;
        return new RejectionDecision(reason is not null, label, probs[best], sim, reason);
    }

    /// <summary>Standardised with the head's mean/std, then scaled to unit length.</summary>
    public float[] Normalise(float[] embedding) => UnitStandardised(embedding, Thresholds.Mean, Thresholds.Std);

    public static float[] UnitStandardised(float[] e, float[] mean, float[] std)
    {
        if (e.Length != mean.Length) throw new ArgumentException($"Embedding has {e.Length} values, thresholds expect {mean.Length}.", nameof(e));
        var v = new float[e.Length];
        double n = 0;
        for (int i = 0; i < v.Length; i++) { v[i] = (e[i] - mean[i]) / std[i]; n += v[i] * (double)v[i]; }
        float inv = n > 0 ? (float)(1 / Math.Sqrt(n)) : 0;
        for (int i = 0; i < v.Length; i++) v[i] *= inv;
        return v;
    }

    public static float Similarity(float[] unitA, float[] unitB)
    {
        double s = 0;
        for (int i = 0; i < unitA.Length; i++) s += unitA[i] * (double)unitB[i];
        return (float)s;
    }
}

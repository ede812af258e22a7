namespace Lookout.Core.Video.Analysis;

/// <summary>
/// An axis-aligned box in normalised image coordinates (0..1, origin top-left), so boxes survive any resize
/// between the frame the model saw and the frame that is drawn or stored.
/// </summary>
public readonly record struct BoxF(float X1, float Y1, float X2, float Y2)
{
    public float CenterX => (X1 + X2) / 2f;
    public float CenterY => (Y1 + Y2) / 2f;
    public float Area => Math.Max(0f, X2 - X1) * Math.Max(0f, Y2 - Y1);

    public static BoxF Full { get; } = new(0f, 0f, 1f, 1f);

    /// <summary>Intersection over union; 0 for disjoint or empty boxes.</summary>
    public float IoU(BoxF other)
    {
        float w = Math.Min(X2, other.X2) - Math.Max(X1, other.X1);
        float h = Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1);
        if (w <= 0 || h <= 0) return 0f;
        float inter = w * h;
        return inter / (Area + other.Area - inter);
    }
}

/// <summary>(contract) A whole-image class score from a classifier.</summary>
public sealed record Prediction(string Label, float Score);

/// <summary>(contract) A located object (detector) or face; <see cref="Box"/> is normalised.</summary>
public sealed record Detection(string Label, float Score, BoxF Box);

/// <summary>
/// Everything the analyzers saw in one frame. <see cref="Predictions"/> are sorted by descending score;
/// <see cref="Faces"/> carry the matched person's name or <see cref="UnknownFace"/>.
/// </summary>
public sealed record FrameAnalysis(IReadOnlyList<Prediction> Predictions, IReadOnlyList<Detection> Detections, IReadOnlyList<Detection> Faces)
{
    public const string UnknownFace = "unknown";

    public static FrameAnalysis Empty { get; } = new([], [], []);

    public Prediction? Top => Predictions.Count > 0 ? Predictions[0] : null;

    /// <summary>The classifier's score for a label (0 when the label is absent).</summary>
    public float ScoreOf(string label)
    {
        foreach (var p in Predictions) if (p.Label == label) return p.Score;
        return 0f;
    }

    public FrameAnalysis Merge(FrameAnalysis other) =>
        new([.. Predictions, .. other.Predictions], [.. Detections, .. other.Detections], [.. Faces, .. other.Faces]);
}

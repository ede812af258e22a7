using Lookout.Core.Inference;

namespace Lookout.Core.Video.Analysis;

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

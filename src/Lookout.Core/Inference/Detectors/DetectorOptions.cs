namespace Lookout.Core.Inference.Detectors;

/// <summary>
/// What a detection call keeps. Defaults: score ≥ 0.4 (CodeProject.AI's default min_confidence, so Blue Iris and
/// Home Assistant users see what they expect; upstream human uses 0.2, which floods CCTV frames with false alarms),
/// per-class NMS at IoU 0.4 (a person holding a dog keeps both boxes; upstream CenterNet is class-agnostic, which
/// <see cref="ClassAgnosticNms"/> restores), at most 100 boxes.
/// </summary>
public sealed record DetectorOptions
{
    public const float DefaultMinScore = 0.4f;
    public const float DefaultNmsIoU = 0.4f;

    public float MinScore { get; init; } = DefaultMinScore;
    public float NmsIoU { get; init; } = DefaultNmsIoU;
    public bool ClassAgnosticNms { get; init; }
    public int MaxDetections { get; init; } = 100;
    /// <summary>Class ids to keep (see <see cref="CocoLabels.Resolve"/>); null keeps all.</summary>
    public IReadOnlySet<int>? Classes { get; init; }

    public static DetectorOptions Default { get; } = new();

    public void Validate()
    {
        if (MinScore is < 0 or > 1 || float.IsNaN(MinScore)) throw new ArgumentException($"min score must be in [0,1], got {MinScore}");
        if (NmsIoU is <= 0 or > 1 || float.IsNaN(NmsIoU)) throw new ArgumentException($"NMS IoU must be in (0,1], got {NmsIoU}");
        if (MaxDetections < 1) throw new ArgumentException("max detections must be at least 1");
    }
}

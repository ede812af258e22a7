using Lookout.Core.Video.Analysis;
using Lookout.Core.Inference;
using Lookout.Core.Imaging;

namespace Lookout.Core.Watch.Rules;

/// <summary>What made one frame count for a rule: the label, its score and (for boxes) where it was.</summary>
public sealed record RuleHit(string Label, float Score, BoxF? Box);

/// <summary>
/// Does one frame satisfy a rule's per-frame condition? Pure. Ignored labels suppress a hit when they win:
/// for a classifier, when an ignored label scores higher than the candidate; for boxes, when an ignored-label
/// box overlaps the candidate (IoU at least <see cref="SameObjectIoU"/>) with a higher score - the same object,
/// more likely the cat.
/// </summary>
public static class RuleMatcher
{
    public const float SameObjectIoU = 0.5f;
    public const string UnknownFaceLabel = "face_unknown";

    public static RuleHit? Match(Rule rule, FrameAnalysis frame) => rule.Source switch
    {
        RuleSource.Classifier => MatchClassifier(rule, frame.Predictions),
        RuleSource.Detector => MatchBoxes(rule, frame.Detections),
        _ => MatchBoxes(rule with { When = rule.When with { Label = null } },
            frame.Faces.Where(f => f.Label == FrameAnalysis.UnknownFace).Select(f => f with { Label = UnknownFaceLabel }).ToList()),
    };

    private static bool Wanted(Rule rule, string label) =>
        !rule.Ignore.Contains(label) && (rule.When.Label is null || rule.When.Label == label);

    private static RuleHit? MatchClassifier(Rule rule, IReadOnlyList<Prediction> predictions)
    {
        Prediction? best = null;
        foreach (var p in predictions)
            if (Wanted(rule, p.Label) && p.Score >= rule.When.MinScore && (best is null || p.Score > best.Score)) best = p;
        if (best is null) return null;
        foreach (var p in predictions)
            if (rule.Ignore.Contains(p.Label) && p.Score > best.Score) return null;
        return new RuleHit(best.Label, best.Score, null);
    }

    private static RuleHit? MatchBoxes(Rule rule, IReadOnlyList<Detection> boxes)
    {
        Detection? best = null;
        foreach (var d in boxes)
        {
            if (!Wanted(rule, d.Label) || d.Score < rule.When.MinScore) continue;
            if (d.Box.Area < rule.When.MinArea || d.Box.Area > rule.When.MaxArea) continue;
            if (rule.Zone is { } zone && !Zone.Contains(zone, d.Box.CenterX, d.Box.CenterY)) continue;
            if (boxes.Any(o => rule.Ignore.Contains(o.Label) && o.Score > d.Score && o.Box.IoU(d.Box) >= SameObjectIoU)) continue;
            if (best is null || d.Score > best.Score) best = d;
        }
        return best is null ? null : new RuleHit(best.Label, best.Score, best.Box);
    }
}

namespace Lookout.Core.Inference.Detectors;

/// <summary>Greedy non-maximum suppression: keep the best box, drop later ones overlapping it by more than the IoU limit.</summary>
public static class Nms
{
    /// <param name="perClass">False: boxes of any class suppress each other (human/upstream CenterNet behaviour).
    /// True: only boxes of the same class do (a person on a chair keeps both).</param>
    public static List<RawDetection> Apply(IEnumerable<RawDetection> candidates, float iouThreshold, int maxKeep, bool perClass)
    {
        var sorted = candidates.OrderByDescending(c => c.Score).ToList();
        var kept = new List<RawDetection>();
        foreach (var c in sorted)
        {
            if (kept.Count >= maxKeep) break;
            bool suppressed = false;
            foreach (var k in kept)
                if ((!perClass || k.ClassId == c.ClassId) && k.Box.IoU(c.Box) > iouThreshold) { suppressed = true; break; }
            if (!suppressed) kept.Add(c);
        }
        return kept;
    }
}

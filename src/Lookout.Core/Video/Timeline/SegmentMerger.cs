
namespace Lookout.Core.Video.Timeline;

/// <summary>
/// Turns a timeline into label segments. A label is "present" in a frame when it is the classifier's top label
/// with at least <c>minScore</c>, or a detection of it scores at least <c>minScore</c>. Consecutive frames with the
/// label present form one segment, which lasts until the next analysed frame (or one frame interval after the
/// last frame); segments shorter than <c>minDuration</c> are dropped as flicker.
/// </summary>
public static class SegmentMerger
{
    public static IReadOnlyList<Segment> Merge(IReadOnlyList<TimelineEntry> timeline, float minScore, TimeSpan minDuration, TimeSpan frameInterval)
    {
        var segments = new List<Segment>();
        var open = new Dictionary<string, Run>(StringComparer.Ordinal);
        for (int i = 0; i < timeline.Count; i++)
        {
            var entry = timeline[i];
            var next = i + 1 < timeline.Count ? timeline[i + 1].Time : entry.Time + frameInterval;
            var present = Present(entry, minScore);
            foreach (var label in open.Keys.Where(l => !present.ContainsKey(l)).ToList())
            {
                Close(open[label], label, minDuration, segments);
                open.Remove(label);
            }
            foreach (var (label, score) in present)
            {
                if (!open.TryGetValue(label, out var run)) open[label] = run = new Run(entry.Time);
                run.Add(score, next);
            }
        }
        foreach (var (label, run) in open) Close(run, label, minDuration, segments);
        return segments.OrderBy(s => s.Start).ThenBy(s => s.Label, StringComparer.Ordinal).ToList();
    }

    /// <summary>Labels present in one frame with their best score.</summary>
    private static Dictionary<string, float> Present(TimelineEntry entry, float minScore)
    {
        var present = new Dictionary<string, float>(StringComparer.Ordinal);
        if (entry.Top.Count > 0 && entry.Top[0].Score >= minScore) present[entry.Top[0].Label] = entry.Top[0].Score;
        foreach (var d in entry.Detections)
            if (d.Score >= minScore && (!present.TryGetValue(d.Label, out var s) || s < d.Score)) present[d.Label] = d.Score;
        return present;
    }

    private static void Close(Run run, string label, TimeSpan minDuration, List<Segment> output)
    {
        if (run.End - run.Start >= minDuration)
            output.Add(new Segment(label, run.Start, run.End, run.Frames, run.Sum / run.Frames, run.Max));
    }

    private sealed class Run(TimeSpan start)
    {
        public TimeSpan Start { get; } = start;
        public TimeSpan End { get; private set; } = start;
        public int Frames { get; private set; }
        public float Sum { get; private set; }
        public float Max { get; private set; }

        public void Add(float score, TimeSpan end)
        {
            Frames++; Sum += score; Max = Math.Max(Max, score); End = end;
        }
    }
}

using Lookout.Core.Video.Timeline;
using Lookout.Core.Inference;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Video;

public class SegmentMergerTests
{
    private static TimelineEntry E(double t, string label, float score, params Detection[] dets) =>
        new((long)(t * 10), TimeSpan.FromSeconds(t), [new Prediction(label, score)], dets);

    [Fact]
    public void Runs_MinDuration_AndLowScoresBreakRuns()
    {
        var timeline = new[]
        {
            E(0, "cat", 0.9f), E(1, "cat", 0.8f), E(2, "cat", 0.3f),  // 0.3 is below min: run ends at 2
            E(3, "dog", 0.9f),                                          // 1 s run: kept (min 1 s)
            E(4, "cat", 0.9f), E(4.5, "cat", 0.9f),                     // ends at last + interval 0.5 -> 1 s, kept
        };
        var segs = SegmentMerger.Merge(timeline, 0.5f, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.5));
        Assert.Equal([("cat", 0.0, 2.0, 2), ("dog", 3.0, 4.0, 1), ("cat", 4.0, 5.0, 2)],
            segs.Select(s => (s.Label, s.Start.TotalSeconds, s.End.TotalSeconds, s.Frames)));
        Assert.Equal(0.85f, segs[0].MeanScore, 5);
        Assert.Equal(0.9f, segs[0].MaxScore);

        var strict = SegmentMerger.Merge(timeline, 0.5f, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(0.5));
        Assert.Equal(["cat"], strict.Select(s => s.Label));
    }

    [Fact]
    public void Detections_MakeOverlappingSegmentsPerLabel()
    {
        var box = new BoxF(0, 0, 0.5f, 0.5f);
        var timeline = new[]
        {
            E(0, "bg", 0.1f, new Detection("person", 0.9f, box)),
            E(1, "bg", 0.1f, new Detection("person", 0.9f, box), new Detection("dog", 0.7f, box)),
            E(2, "bg", 0.1f, new Detection("dog", 0.8f, box)),
        };
        var segs = SegmentMerger.Merge(timeline, 0.5f, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal([("person", 0.0, 2.0), ("dog", 1.0, 3.0)], segs.Select(s => (s.Label, s.Start.TotalSeconds, s.End.TotalSeconds)));
    }
}

using Lookout.Core.Video.Timeline;

namespace Lookout.Core.Video;

/// <summary>The result of analysing one video: the timeline, its label segments and what was written where.</summary>
public sealed record VideoReport(
    string Video,
    string Analyzer,
    VideoInfo Info,
    double? SampleFps,
    long FramesDecoded,
    IReadOnlyList<TimelineEntry> Timeline,
    IReadOnlyList<Segment> Segments,
    TimeSpan Elapsed,
    IReadOnlyList<string> Outputs)
{
    public double AnalysedPerSecond => Timeline.Count / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

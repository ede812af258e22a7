using Lookout.Core.Inference;

namespace Lookout.Core.Video.Timeline;

/// <summary>One analysed frame of a video: where it is and what was seen (top-k predictions, detections).</summary>
public sealed record TimelineEntry(long Seq, TimeSpan Time, IReadOnlyList<Prediction> Top, IReadOnlyList<Detection> Detections);

/// <summary>A run of analysed frames in which <see cref="Label"/> was present, from <see cref="Start"/> to <see cref="End"/>.</summary>
public sealed record Segment(string Label, TimeSpan Start, TimeSpan End, int Frames, float MeanScore, float MaxScore)
{
    public TimeSpan Duration => End - Start;
}


namespace Lookout.Core.Video;

/// <summary>What <see cref="VideoService"/> analyses and which outputs it writes (null path = not written).</summary>
public sealed record VideoOptions
{
    /// <summary>Frames analysed per second of video; null analyses every decoded frame.</summary>
    public double? SampleFps { get; init; } = 2.0;
    /// <summary>Predictions kept per frame in the timeline.</summary>
    public int TopK { get; init; } = 3;
    /// <summary>A label counts as present in a frame from this score up (segments).</summary>
    public float SegmentMinScore { get; init; } = 0.5f;
    /// <summary>Shorter label runs are dropped as flicker.</summary>
    public TimeSpan SegmentMinDuration { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Decode at most this many pixels on the longer side (analysis input is smaller anyway); null keeps full size.</summary>
    public int? MaxSide { get; init; } = 1280;

    public string? TimelineJsonPath { get; init; }
    public string? TimelineCsvPath { get; init; }
    /// <summary>MP4 (or .mkv/.webm/.avi) with every decoded frame and the latest analysis burned in.</summary>
    public string? AnnotatedVideoPath { get; init; }
    public string? ContactSheetPath { get; init; }
    public int ContactSheetCount { get; init; } = 24;
    public int ContactSheetColumns { get; init; } = 6;

    public void Validate()
    {
        if (SampleFps is { } fps && (!double.IsFinite(fps) || fps <= 0))
            throw new LookoutException($"sample rate must be a positive number of frames per second (got {fps})");
        if (TopK < 1) throw new LookoutException($"top-k must be at least 1 (got {TopK})");
        if (SegmentMinScore is < 0f or > 1f) throw new LookoutException($"segment min score must be within 0..1 (got {SegmentMinScore})");
        if (SegmentMinDuration < TimeSpan.Zero) throw new LookoutException("segment min duration cannot be negative");
        if (MaxSide is < 16) throw new LookoutException($"max side must be at least 16 pixels (got {MaxSide})");
        if (ContactSheetCount < 1 || ContactSheetColumns < 1) throw new LookoutException("contact sheet count and columns must be at least 1");
    }
}

/// <summary>Decoding progress: frames decoded so far, the expected total (from the duration) and time left.</summary>
public sealed record VideoProgress(long Done, long? Total, int Analysed, TimeSpan Elapsed, TimeSpan? Eta);

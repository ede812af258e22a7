namespace Lookout.Core.Video;

/// <summary>How <see cref="FfmpegFrameReader"/> samples and sizes frames.</summary>
public sealed record FrameReaderOptions
{
    /// <summary>Frames per second to emit (ffmpeg's fps filter); null emits every decoded frame.</summary>
    public double? FramesPerSecond { get; init; } = 1.0;

    /// <summary>Downscale so the longer side is at most this many pixels (aspect kept); null keeps the source size.</summary>
    public int? MaxSide { get; init; }

    /// <summary>Extra ffmpeg input options placed before <c>-i</c>, e.g. <c>-rtsp_transport tcp</c> for cameras.</summary>
    public IReadOnlyList<string> InputArguments { get; init; } = [];

    /// <summary>Read a file at its native frame rate (ffmpeg <c>-re</c>), as a camera would deliver it.</summary>
    public bool RealTime { get; init; }

    public FfmpegTools Tools { get; init; } = FfmpegTools.Default;

    public void Validate()
    {
        if (FramesPerSecond is { } fps && (!double.IsFinite(fps) || fps <= 0))
            throw new ArgumentOutOfRangeException(nameof(FramesPerSecond), fps, "frames per second must be positive");
        if (MaxSide is { } side && side < 2)
            throw new ArgumentOutOfRangeException(nameof(MaxSide), side, "max side must be at least 2 pixels");
    }
}

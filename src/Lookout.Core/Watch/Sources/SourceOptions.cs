namespace Lookout.Core.Watch.Sources;

/// <summary>How an ffmpeg-backed source is read.</summary>
public sealed record SourceOptions
{
    /// <summary>Frames per second to decode (ffmpeg fps filter); null takes every frame the source sends.</summary>
    public double? Fps { get; init; }
    /// <summary>Downscale decoded frames to at most this on the longer side (motion and models need far less than 4K).</summary>
    public int? MaxSide { get; init; } = 1280;
    /// <summary>Files only: deliver frames at the file's own rate, like a camera (<c>-re</c>).</summary>
    public bool RealTime { get; init; }
    /// <summary>Files only: start again at the end.</summary>
    public bool Loop { get; init; }
    /// <summary>Reconnect when a live source fails or ends (files never reconnect).</summary>
    public bool Reconnect { get; init; } = true;
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>ffmpeg I/O timeout for network sources, so a silent camera counts as dead instead of hanging.</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public void Validate()
    {
        if (Fps is { } f && (!double.IsFinite(f) || f <= 0)) throw new LookoutException($"source fps must be positive (got {f})");
        if (MaxSide is < 16) throw new LookoutException($"source max side must be at least 16 pixels (got {MaxSide})");
        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff) throw new LookoutException("reconnect backoff must be positive and max >= initial");
    }
}

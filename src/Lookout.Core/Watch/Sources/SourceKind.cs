using System.Globalization;

namespace Lookout.Core.Watch.Sources;

public enum SourceKind { File, Rtsp, Http, Device }

/// <summary>Recognises a source string and picks the ffmpeg input options that suit it.</summary>
public static class SourceKinds
{
    public static SourceKind Detect(string source)
    {
        if (source.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase)) return SourceKind.Rtsp;
        if (source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase)) return SourceKind.Http;
        if (source.StartsWith("/dev/video", StringComparison.Ordinal)) return SourceKind.Device;
        if (source.Contains("://", StringComparison.Ordinal))
            throw new LookoutException($"{source}: unsupported source; use a video file, rtsp://, http(s):// (MJPEG or HLS) or /dev/videoN");
        return SourceKind.File;
    }

    /// <summary>ffmpeg options placed before <c>-i</c> (also given to ffprobe).</summary>
    public static IReadOnlyList<string> InputArguments(SourceKind kind, TimeSpan networkTimeout)
    {
        var micros = ((long)networkTimeout.TotalMicroseconds).ToString(CultureInfo.InvariantCulture);
        return kind switch
        {
            // TCP: UDP loses packets on busy Wi-Fi and smears frames; "timeout" is the socket I/O timeout.
            SourceKind.Rtsp => ["-rtsp_transport", "tcp", "-timeout", micros],
            SourceKind.Http => ["-rw_timeout", micros],
            SourceKind.Device => ["-f", "v4l2"],
            _ => [],
        };
    }
}

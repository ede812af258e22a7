namespace Lookout.Core.Video;

/// <summary>A video source could not be opened or decoded; <see cref="Reason"/> is short and user-facing.</summary>
public sealed class VideoException(string source, string reason, Exception? inner = null)
    : LookoutException($"{source}: {reason}", inner)
{
    public string SourceName { get; } = source;
    public string Reason { get; } = reason;
}

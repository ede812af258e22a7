using Lookout.Core.Video;

namespace Lookout.Core.Watch.Sources;

/// <summary>
/// Where the watcher's frames come from. <see cref="ReadAsync"/> yields frames until the source ends (a file that
/// is not looped) or <paramref name="ct"/> is cancelled; live sources reconnect on their own and report it through
/// <paramref name="status"/>. Frame times are monotonic for the whole read (source time for files, wall-clock
/// time since start for live sources), so cooldowns work across reconnects.
/// </summary>
public interface IFrameSource
{
    string Name { get; }

    /// <summary>True for cameras and streams (frames arrive at their own pace; old frames are worthless).</summary>
    bool IsLive { get; }

    IAsyncEnumerable<Frame> ReadAsync(Action<SourceStatus>? status, CancellationToken ct);
}

public enum SourceState { Connecting, Connected, Disconnected, Ended }

/// <summary>A change in a source's connection, for logs and the stats line.</summary>
public sealed record SourceStatus(string Source, SourceState State, string? Reason = null, TimeSpan? RetryIn = null);

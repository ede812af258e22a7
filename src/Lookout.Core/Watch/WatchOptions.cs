using Lookout.Core.Watch.Motion;

namespace Lookout.Core.Watch;

/// <summary>Settings of one <c>lookout watch</c> run (the rules come from the rules file).</summary>
public sealed record WatchOptions
{
    /// <summary>Workspace folder: <c>catalog.db</c> (events table) and, by default, <c>events/</c> snapshots.</summary>
    public string Workspace { get; init; } = ".lookout";
    /// <summary>Camera name in events; null uses the source's name.</summary>
    public string? Camera { get; init; }
    /// <summary>Frame-differencing gate settings; null runs the model on every frame.</summary>
    public MotionOptions? Motion { get; init; } = new();
    /// <summary>
    /// Drop the oldest queued frame when the model falls behind (always analyse the newest). Null decides by the
    /// source: on for cameras and real-time playback, off for files read as fast as possible (lossless replay).
    /// </summary>
    public bool? DropFrames { get; init; }
    /// <summary>Frames that may wait for the model (1-2 keeps latency low).</summary>
    public int FrameQueueCapacity { get; init; } = 2;
    /// <summary>Most frames (one per camera) one shared forward pass takes.</summary>
    public int MaxBatch { get; init; } = 8;
    /// <summary>
    /// Longest a shared forward pass should take: a pass takes only as many cameras' frames as fit at the measured
    /// time per frame (always at least one), so a frame waits at most about one pass for its turn and one for its own
    /// and frame latency stays near twice this, however many cameras there are. Null: passes take up to
    /// <see cref="MaxBatch"/> frames whatever they cost.
    /// </summary>
    public TimeSpan? PassBudget { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>How often the observer gets a stats line.</summary>
    public TimeSpan StatsInterval { get; init; } = TimeSpan.FromSeconds(5);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Workspace)) throw new LookoutException("the workspace folder must be set");
        if (FrameQueueCapacity is < 1 or > 8) throw new LookoutException($"frame queue capacity must be within 1..8 (got {FrameQueueCapacity})");
        if (MaxBatch is < 1 or > 64) throw new LookoutException($"the shared batch must be within 1..64 frames (got {MaxBatch})");
        if (PassBudget is { } b && b <= TimeSpan.Zero) throw new LookoutException("the pass budget must be positive");
        if (StatsInterval <= TimeSpan.Zero) throw new LookoutException("the stats interval must be positive");
        Motion?.Validate();
    }
}

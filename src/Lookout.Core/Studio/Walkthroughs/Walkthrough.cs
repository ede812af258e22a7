namespace Lookout.Core.Studio.Walkthroughs;

/// <summary>A time segment [start, end) of a walk-through with its class, or null for "none of these".</summary>
public sealed record TimeSegment(long StartMs, long EndMs, string? Label)
{
    public bool Contains(long ms) => ms >= StartMs && ms < EndMs;
}

/// <summary>A hand-labelled validation video: kept in the workspace (never in the data folder, so it is never trained on).</summary>
public sealed record Walkthrough(long Id, string Sha256, string File, string Name, long DurationMs, IReadOnlyList<TimeSegment> Segments);

using Lookout.Core.Imaging;

namespace Lookout.Core.Watch.Alerts;

/// <summary>
/// (contract) One fired rule: what was seen, where and when. <see cref="Time"/> is wall-clock UTC;
/// <see cref="FrameTime"/> is the position in the source. <see cref="SnapshotPath"/> is set once the snapshot is on disk.
/// </summary>
public sealed record AlertEvent(
    string Id,
    string Camera,
    string Rule,
    string Label,
    float Score,
    float TopScore,
    DateTimeOffset Time,
    TimeSpan FrameTime,
    long Seq,
    BoxF? Box,
    string? SnapshotPath);

/// <summary>How one action went for one event.</summary>
public sealed record ActionOutcome(string Action, bool Ok, string? Detail = null);

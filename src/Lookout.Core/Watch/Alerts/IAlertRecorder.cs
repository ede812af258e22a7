using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch.Rules;

namespace Lookout.Core.Watch.Alerts;

/// <summary>
/// Records a fired alert before anyone is told about it. On one box every alert is recorded (snapshot file, then the
/// workspace's events row). When cameras are shared between watchers, the shared event log admits an alert only from
/// the camera's current lease holder and only once per (camera, rule, cooldown window): an alert it does not admit
/// is neither stored nor sent, so a failover never alerts twice.
/// </summary>
public interface IAlertRecorder
{
    /// <param name="fence">The camera lease's fencing token (epoch) the pipeline runs under; 0 on one box.</param>
    /// <returns>The alert as recorded (with its snapshot path) and the snapshot action's outcome, or null when it must not be sent.</returns>
    Task<RecordedAlert?> RecordAsync(Rule rule, AlertEvent alert, RgbImage frame, FrameAnalysis analysis, long fence, CancellationToken ct);
}

/// <summary>An alert that was recorded; <see cref="Snapshot"/> is null when the rule takes no snapshot.</summary>
public sealed record RecordedAlert(AlertEvent Alert, ActionOutcome? Snapshot);

using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch.Alerts.Actions;
using Lookout.Core.Watch.Events;
using Lookout.Core.Watch.Rules;

namespace Lookout.Core.Watch.Alerts;

/// <summary>
/// One box: the snapshot file first (so its path travels with the event), then the row in the workspace catalog.
/// Every alert is recorded; a failed snapshot is reported as an outcome and the event is stored without it.
/// </summary>
public sealed class LocalAlertRecorder(SnapshotWriter snapshots, EventStore store) : IAlertRecorder
{
    public Task<RecordedAlert?> RecordAsync(Rule rule, AlertEvent alert, RgbImage frame, FrameAnalysis analysis, long fence, CancellationToken ct)
    {
        ActionOutcome? outcome = null;
        if (rule.Actions.Contains(ActionsConfig.SnapshotName))
        {
            try
            {
                alert = alert with { SnapshotPath = snapshots.Write(alert, frame, analysis) };
                outcome = new ActionOutcome(ActionsConfig.SnapshotName, true, alert.SnapshotPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NetVips.VipsException)
            {
                outcome = new ActionOutcome(ActionsConfig.SnapshotName, false, e.Message);
            }
        }
        store.Add(alert);
        return Task.FromResult<RecordedAlert?>(new RecordedAlert(alert, outcome));
    }
}

using Lookout.Core.IO;
using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch.Alerts.Actions;
using Lookout.Core.Watch.Events;
using Lookout.Core.Watch.Rules;
using Microsoft.Data.Sqlite;

namespace Lookout.Core.Watch.Alerts;

/// <summary>
/// One box: the snapshot file first (so its path travels with the event), then the row in the workspace catalog.
/// Every alert is recorded; a failed snapshot is reported as an outcome and the event is stored without it. On a full
/// or read-only disk the alert still goes out (webhooks and MQTT need no disk): the event that could not be stored is
/// an outcome too.
/// </summary>
public sealed class LocalAlertRecorder(SnapshotWriter snapshots, EventStore store) : IAlertRecorder
{
    /// <summary>The outcome's name when the event row could not be written.</summary>
    public const string StoreOutcome = "event";

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
                outcome = new ActionOutcome(ActionsConfig.SnapshotName, false, DiskFull.MessageOf(e));
            }
        }
        try
        {
            store.Add(alert);
        }
        catch (SqliteException e)
        {
            // A full disk, or one the kernel turned read-only (a failing SD card): alerting goes on. Reported instead of
            // the snapshot's outcome: a row that is not in the catalog is what the user must hear about.
            outcome = new ActionOutcome(StoreOutcome, false, DiskFull.Is(e) ? DiskFull.Explain(e).Message : $"the event could not be stored: {e.Message}");
        }
        return Task.FromResult<RecordedAlert?>(new RecordedAlert(alert, outcome));
    }
}

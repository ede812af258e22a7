using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch.Alerts;
using Lookout.Core.Watch.Alerts.Actions;
using Lookout.Core.Watch.Rules;
using Npgsql;

namespace Lookout.Scale.Cameras;

/// <summary>
/// Records alerts of shared cameras in <see cref="SharedEventLog"/>: the snapshot is rendered first and goes into the
/// event's row; only when the row was admitted (this watcher holds the lease, nobody alerted this within the window)
/// is the alert sent, and the watcher also saves the picture in its own workspace (the path travels with the alert).
/// The dedupe window is 90% of the rule's cooldown (at least 1 s): the margin lets a legitimate repeat through even
/// when the database's clock and the frames' clock disagree by a little.
/// </summary>
public sealed class SharedAlertRecorder(SharedEventLog log, SnapshotWriter snapshots, string owner, Action<string> note) : IAlertRecorder
{
    public async Task<RecordedAlert?> RecordAsync(Rule rule, AlertEvent alert, RgbImage frame, FrameAnalysis analysis, long fence, CancellationToken ct)
    {
        byte[]? jpeg = null;
        ActionOutcome? outcome = null;
        if (rule.Actions.Contains(ActionsConfig.SnapshotName))
        {
            try
            {
                jpeg = snapshots.Render(alert, frame, analysis);
                alert = alert with { SnapshotPath = snapshots.PathFor(alert) };
            }
            catch (NetVips.VipsException e)
            {
                outcome = new ActionOutcome(ActionsConfig.SnapshotName, false, e.Message);
            }
        }
        var window = TimeSpan.FromSeconds(Math.Max(1, rule.Cooldown.TotalSeconds * 0.9));
        if (!await AdmitAsync(alert, fence, window, jpeg, ct))
        {
            note($"alert {alert.Rule} on {alert.Camera} not sent: already recorded within {window.TotalSeconds:0.#} s (a failover) or the lease (epoch {fence}) has ended");
            return null;
        }
        if (jpeg is not null)
        {
            try
            {
                snapshots.Save(alert.SnapshotPath!, jpeg);
                outcome = new ActionOutcome(ActionsConfig.SnapshotName, true, alert.SnapshotPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                outcome = new ActionOutcome(ActionsConfig.SnapshotName, false, $"kept in the database; the local copy failed: {e.Message}");
            }
        }
        return new RecordedAlert(alert, outcome);
    }

    /// <summary>
    /// Retries while the database is unreachable: an alert is never sent unrecorded (it could then be sent twice).
    /// If the outage lasts, the lease renewal fails too and cancels <paramref name="ct"/>: the camera stops here.
    /// </summary>
    private async Task<bool> AdmitAsync(AlertEvent alert, long fence, TimeSpan window, byte[]? jpeg, CancellationToken ct)
    {
        var backoff = new Backoff();
        while (true)
        {
            try { return await log.TryAddAsync(alert, owner, fence, window, jpeg, ct); }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
            {
                var wait = backoff.Next();
                note($"recording an alert of {alert.Camera} failed ({e.Message}); retrying in {wait.TotalSeconds:0.0} s");
                await Task.Delay(wait, ct);
            }
        }
    }
}

using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch.Alerts.Actions;
using Lookout.Core.Watch.Events;
using Lookout.Core.Watch.Rules;

namespace Lookout.Core.Watch.Alerts;

/// <summary>
/// Runs a fired rule's actions in a fixed order: record it (snapshot and event row, see <see cref="IAlertRecorder"/>),
/// then notifiers (webhook, MQTT) — only for an alert the recorder admitted. A failing action is reported as an
/// outcome and never stops the others.
/// </summary>
public sealed class AlertDispatcher : IAsyncDisposable
{
    private readonly IAlertRecorder _recorder;
    private readonly IReadOnlyList<IAlertNotifier> _notifiers;

    public AlertDispatcher(IAlertRecorder recorder, IReadOnlyList<IAlertNotifier> notifiers)
    {
        _recorder = recorder;
        _notifiers = notifiers;
    }

    /// <summary>One box: snapshots in the workspace, events in its catalog.</summary>
    public static AlertDispatcher Create(RuleSet rules, string workspace, EventStore store) =>
        Create(rules, new LocalAlertRecorder(Snapshots(rules, workspace), store));

    /// <summary>Builds the notifiers the rules actually use, from the rules file's action settings.</summary>
    public static AlertDispatcher Create(RuleSet rules, IAlertRecorder recorder)
    {
        var used = rules.Rules.SelectMany(r => r.Actions).ToHashSet();
        var notifiers = new List<IAlertNotifier>();
        if (used.Contains(ActionsConfig.WebhookName) && rules.Actions.Webhook is { } hook) notifiers.Add(new WebhookNotifier(hook));
        if (used.Contains(ActionsConfig.MqttName) && rules.Actions.Mqtt is { } mqtt) notifiers.Add(new MqttNotifier(mqtt));
        return new AlertDispatcher(recorder, notifiers);
    }

    /// <summary>The snapshot writer the rules file configures (default <c>events/</c> in the workspace), cleaned of a killed run's temp files.</summary>
    public static SnapshotWriter Snapshots(RuleSet rules, string workspace)
    {
        var snapshots = new SnapshotWriter(rules.Actions.Snapshot ?? new SnapshotActionConfig("events"), workspace);
        snapshots.RemoveLeftovers();
        return snapshots;
    }

    /// <param name="fence">The camera lease's epoch (shared cameras), 0 on one box.</param>
    /// <param name="notifyCt">Cancels the notifications; default <paramref name="ct"/>. Shared cameras pass the watcher's own
    /// token: once the shared table admitted an alert nobody else will send it, so losing the camera a moment later must
    /// not cancel its webhook (each notifier is bounded by its own timeout).</param>
    /// <returns>The alert and each action's outcome, or null when the recorder did not admit it (nothing was sent).</returns>
    public async Task<(AlertEvent Event, IReadOnlyList<ActionOutcome> Outcomes)?> DispatchAsync(
        Rule rule, AlertDecision decision, string camera, long seq, TimeSpan frameTime, RgbImage frame, FrameAnalysis analysis, CancellationToken ct,
        long fence = 0, CancellationToken? notifyCt = null)
    {
        var alert = new AlertEvent(Guid.NewGuid().ToString("N"), camera, rule.Name, decision.Label, decision.Score, decision.TopScore,
            DateTimeOffset.UtcNow, frameTime, seq, decision.Box, null);
        if (await _recorder.RecordAsync(rule, alert, frame, analysis, fence, ct).ConfigureAwait(false) is not { } recorded) return null;
        alert = recorded.Alert;
        var outcomes = new List<ActionOutcome>();
        if (recorded.Snapshot is { } snapshot) outcomes.Add(snapshot);
        var sendCt = notifyCt ?? ct;
        foreach (var notifier in _notifiers.Where(n => rule.Actions.Contains(n.Name)))
        {
            try { outcomes.Add(await notifier.NotifyAsync(alert, sendCt).ConfigureAwait(false)); }
            catch (Exception e) when (e is not OperationCanceledException || !sendCt.IsCancellationRequested)
            {
                // Notifiers report expected failures as outcomes; anything else still must not stop the watcher.
                outcomes.Add(new ActionOutcome(notifier.Name, false, $"{e.GetType().Name}: {e.Message}"));
            }
        }
        return (alert, outcomes);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var n in _notifiers) await n.DisposeAsync().ConfigureAwait(false);
    }
}

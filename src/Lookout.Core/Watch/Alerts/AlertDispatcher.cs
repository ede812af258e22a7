using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch.Alerts.Actions;
using Lookout.Core.Watch.Events;
using Lookout.Core.Watch.Rules;

namespace Lookout.Core.Watch.Alerts;

/// <summary>
/// Runs a fired rule's actions in a fixed order: snapshot (so the path can travel with the event), then the
/// event row, then notifiers (webhook, MQTT). A failing action is reported as an outcome and never stops the others.
/// </summary>
public sealed class AlertDispatcher : IAsyncDisposable
{
    private readonly SnapshotWriter _snapshots;
    private readonly EventStore _store;
    private readonly IReadOnlyList<IAlertNotifier> _notifiers;

    public AlertDispatcher(SnapshotWriter snapshots, EventStore store, IReadOnlyList<IAlertNotifier> notifiers)
    {
        _snapshots = snapshots;
        _store = store;
        _notifiers = notifiers;
    }

    /// <summary>Builds the notifiers the rules actually use, from the rules file's action settings.</summary>
    public static AlertDispatcher Create(RuleSet rules, string workspace, EventStore store)
    {
        var used = rules.Rules.SelectMany(r => r.Actions).ToHashSet();
        var notifiers = new List<IAlertNotifier>();
        if (used.Contains(ActionsConfig.WebhookName) && rules.Actions.Webhook is { } hook) notifiers.Add(new WebhookNotifier(hook));
        if (used.Contains(ActionsConfig.MqttName) && rules.Actions.Mqtt is { } mqtt) notifiers.Add(new MqttNotifier(mqtt));
        var snapshots = new SnapshotWriter(rules.Actions.Snapshot ?? new SnapshotActionConfig("events"), workspace);
        snapshots.RemoveLeftovers();
        return new AlertDispatcher(snapshots, store, notifiers);
    }

    public string SnapshotDirectory => _snapshots.Directory;

    public async Task<(AlertEvent Event, IReadOnlyList<ActionOutcome> Outcomes)> DispatchAsync(
        Rule rule, AlertDecision decision, string camera, long seq, TimeSpan frameTime, RgbImage frame, FrameAnalysis analysis, CancellationToken ct)
    {
        var alert = new AlertEvent(Guid.NewGuid().ToString("N"), camera, rule.Name, decision.Label, decision.Score, decision.TopScore,
            DateTimeOffset.UtcNow, frameTime, seq, decision.Box, null);
        var outcomes = new List<ActionOutcome>();
        if (rule.Actions.Contains(ActionsConfig.SnapshotName))
        {
            try
            {
                alert = alert with { SnapshotPath = _snapshots.Write(alert, frame, analysis) };
                outcomes.Add(new ActionOutcome(ActionsConfig.SnapshotName, true, alert.SnapshotPath));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NetVips.VipsException)
            {
                outcomes.Add(new ActionOutcome(ActionsConfig.SnapshotName, false, e.Message));
            }
        }
        _store.Add(alert);
        foreach (var notifier in _notifiers.Where(n => rule.Actions.Contains(n.Name)))
        {
            try { outcomes.Add(await notifier.NotifyAsync(alert, ct).ConfigureAwait(false)); }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
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

namespace Lookout.Core.Watch.Alerts;

/// <summary>
/// Tells the outside world about an event (webhook, MQTT). Runs after the snapshot is written and the event is
/// stored. One attempt per event, bounded by a timeout: a dead endpoint costs one timeout, never a retry storm.
/// Failures are returned as outcomes, not thrown.
/// </summary>
public interface IAlertNotifier : IAsyncDisposable
{
    string Name { get; }
    Task<ActionOutcome> NotifyAsync(AlertEvent alert, CancellationToken ct);
}

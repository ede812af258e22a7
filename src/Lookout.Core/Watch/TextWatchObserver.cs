using System.Globalization;
using Lookout.Core.Watch.Alerts;
using Lookout.Core.Watch.Sharing;
using Lookout.Core.Watch.Sources;

namespace Lookout.Core.Watch;

/// <summary>
/// Plain log lines for a console or log file: periodic stats, source changes, one line per alert.
/// <paramref name="milliseconds"/> stamps lines to the millisecond (shared cameras: ordering a handover between watchers).
/// </summary>
public sealed class TextWatchObserver(TextWriter output, bool milliseconds = false) : IWatchObserver
{
    private readonly Lock _lock = new();

    public void OnStats(WatchStats stats) => Write(stats.Camera.Length > 0 ? $"stats [{stats.Camera}]: {stats}" : $"stats: {stats}");

    public void OnSource(SourceStatus status) => Write(status.State switch
    {
        SourceState.Disconnected => $"source {status.Source}: disconnected ({status.Reason}); retrying in {status.RetryIn?.TotalSeconds:0.#} s",
        _ => $"source {status.Source}: {status.State.ToString().ToLowerInvariant()}",
    });

    public void OnAlert(AlertEvent alert, IReadOnlyList<ActionOutcome> outcomes)
    {
        var actions = string.Join(", ", outcomes.Select(o => o.Ok ? o.Action : $"{o.Action} FAILED ({o.Detail})"));
        Write(FormattableString.Invariant(
            $"alert {alert.Rule}: {alert.Label} {alert.Score:0.00} on {alert.Camera} at {alert.FrameTime.TotalSeconds:0.0} s [{actions}]{(alert.SnapshotPath is { } p ? " " + p : "")}"));
    }

    public void OnOwnership(CameraOwnership change) => Write(change.Change switch
    {
        OwnershipChange.Acquired => $"camera {change.Camera}: acquired (epoch {change.Epoch})",
        OwnershipChange.FirstFrame => $"camera {change.Camera}: first frame processed (epoch {change.Epoch}){(change.Detail is { } d ? " " + d : "")}",
        _ => $"camera {change.Camera}: stopped (epoch {change.Epoch}){(change.Detail is { } r ? ": " + r : "")}",
    });

    public void OnLeaseNote(string message) => Write($"leases: {message}");

    private void Write(string line)
    {
        lock (_lock) output.WriteLine($"{DateTime.Now.ToString(milliseconds ? "HH:mm:ss.fff" : "HH:mm:ss", CultureInfo.InvariantCulture)} {line}");
    }
}

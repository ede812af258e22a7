using Lookout.Core.Watch.Alerts;
using Lookout.Core.Watch.Sharing;
using Lookout.Core.Watch.Sources;

namespace Lookout.Core.Watch;

/// <summary>
/// Everything the watcher reports while it runs. The CLI prints it, the server streams it; the pipeline itself
/// never writes to the console. Calls come from pipeline threads and must return quickly.
/// </summary>
public interface IWatchObserver
{
    void OnStats(WatchStats stats) { }
    void OnSource(SourceStatus status) { }
    void OnAlert(AlertEvent alert, IReadOnlyList<ActionOutcome> outcomes) { }
    /// <summary>Shared cameras only: this watcher started or stopped running a camera.</summary>
    void OnOwnership(CameraOwnership change) { }
    /// <summary>Shared cameras only: lease bookkeeping worth a log line (renewal failures, rebalancing).</summary>
    void OnLeaseNote(string message) { }
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullWatchObserver : IWatchObserver
{
    public static NullWatchObserver Instance { get; } = new();
}

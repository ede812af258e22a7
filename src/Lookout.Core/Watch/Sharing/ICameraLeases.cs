namespace Lookout.Core.Watch.Sharing;

/// <summary>
/// Decides which cameras of a shared list this watcher runs, when several watchers (on one or more hosts) share it:
/// each camera is owned by one watcher at a time through a lease with a time to live. The implementation keeps
/// claiming free cameras and renewing its own until <c>ct</c> is cancelled; it calls <c>onAcquired</c> for each
/// camera won and cancels that lease's <see cref="CameraLease.Lost"/> the moment it can no longer prove it holds it
/// (lost to another watcher, or a renewal failed). The task <c>onAcquired</c> returns completes once the camera's
/// pipeline has stopped, so a camera is handed over (released) only after it stopped here.
/// </summary>
public interface ICameraLeases
{
    Task RunAsync(IReadOnlyList<string> cameras, Func<CameraLease, Task> onAcquired, CancellationToken ct);
}

/// <summary>
/// One camera won: <see cref="Epoch"/> is the lease's fencing token (it grows with every change of owner), which
/// every event write carries so a stale owner's write is refused; <see cref="Lost"/> is cancelled when the lease ends.
/// </summary>
public sealed record CameraLease(string Camera, long Epoch, CancellationToken Lost);

/// <summary>A change in which cameras this watcher runs, for logs (and for measuring a takeover).</summary>
public sealed record CameraOwnership(string Camera, OwnershipChange Change, long Epoch, string? Detail = null);

public enum OwnershipChange
{
    /// <summary>The lease was won; the camera's pipeline starts.</summary>
    Acquired,
    /// <summary>The first frame of this ownership went through the model.</summary>
    FirstFrame,
    /// <summary>The camera's pipeline stopped (lease lost or released, or the watcher is stopping).</summary>
    Stopped,
}

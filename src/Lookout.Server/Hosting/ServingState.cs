namespace Lookout.Server.Hosting;

/// <summary>
/// Whether this process still wants new traffic. A load balancer or orchestrator reads it from <c>/healthz/ready</c>:
/// a draining replica says "not ready" while it keeps answering, so traffic moves away before the port closes.
/// </summary>
public sealed class ServingState
{
    private int _draining;

    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    /// <summary>Starts draining; true only for the call that started it (a second signal changes nothing).</summary>
    public bool BeginDrain() => Interlocked.Exchange(ref _draining, 1) == 0;
}

namespace Lookout.Scale.Cameras;

/// <summary>How a watcher holds camera leases.</summary>
public sealed record LeaseOptions
{
    /// <summary>This watcher's name in the lease table and events; unique among running watchers.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";
    /// <summary>How long a lease lasts without renewal: a killed watcher's cameras are free this long after its last renewal.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Renew and look for free cameras this often: a third of the TTL, so two renewals may fail before a lease lapses.</summary>
    public TimeSpan Poll => Ttl / 3;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Owner)) throw new Core.LookoutException("the watcher's name must not be empty");
        if (Ttl < TimeSpan.FromSeconds(1) || Ttl > TimeSpan.FromMinutes(10)) throw new Core.LookoutException($"--lease-ttl must be within 1 s..10 min (got {Ttl.TotalSeconds:0.###} s)");
    }
}

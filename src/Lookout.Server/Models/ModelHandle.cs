namespace Lookout.Server.Models;

/// <summary>
/// One loaded version of a named model, reference counted so a hot swap never disposes a session that a request
/// is still using: the registry holds one reference, each request holds one while it runs, and the model is
/// disposed when the last reference is released.
/// </summary>
public sealed class ModelHandle
{
    private int _refs = 1; // the registry's reference

    internal ModelHandle(string name, IImageModel model, DateTimeOffset loadedAt, TimeSpan loadTime, int version)
    {
        Name = name;
        Model = model;
        LoadedAt = loadedAt;
        LoadTime = loadTime;
        Version = version;
    }

    public string Name { get; }
    public IImageModel Model { get; }
    public DateTimeOffset LoadedAt { get; }
    public TimeSpan LoadTime { get; }
    /// <summary>1 for the first load of a name, +1 per successful reload.</summary>
    public int Version { get; }
    public bool IsDisposed => Volatile.Read(ref _refs) == 0;

    /// <summary>Takes a reference unless the handle has already been fully released (then the caller retries on the current one).</summary>
    internal bool TryAcquire()
    {
        while (true)
        {
            int current = Volatile.Read(ref _refs);
            if (current == 0) return false;
            if (Interlocked.CompareExchange(ref _refs, current + 1, current) == current) return true;
        }
    }

    internal void Release()
    {
        int left = Interlocked.Decrement(ref _refs);
        if (left == 0) Model.Dispose();
        else if (left < 0) throw new InvalidOperationException($"Model '{Name}' released more often than acquired.");
    }
}

/// <summary>A request's hold on a model version; dispose it when the request is done with the model.</summary>
public readonly struct ModelLease(ModelHandle handle) : IDisposable
{
    public ModelHandle Handle { get; } = handle;
    public void Dispose() => Handle.Release();
}

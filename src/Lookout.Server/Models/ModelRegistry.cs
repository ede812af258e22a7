using System.Collections.Concurrent;
using System.Diagnostics;
using Lookout.Server.Api;
using Lookout.Server.Batching;
using Lookout.Server.Metrics;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Models;

/// <summary>
/// The served models by name. A (re)load builds the new version beside the old one and swaps the reference
/// atomically; requests that already hold the old version finish on it, and it is disposed when the last one
/// lets go. A failed reload keeps the old version serving.
/// </summary>
public sealed class ModelRegistry : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly IImageModelLoader _loader;
    private readonly BatchingOptions _batching;
    private readonly ServerMetrics _metrics;
    private readonly ILogger _log;
    private readonly string? _defaultModel;

    public ModelRegistry(IImageModelLoader loader, BatchingOptions batching, ServerMetrics metrics, ILogger<ModelRegistry> log, string? defaultModel = null)
    {
        _loader = loader;
        _batching = batching;
        _metrics = metrics;
        _log = log;
        _defaultModel = defaultModel;
    }

    public IImageModelLoader Loader => _loader;

    /// <summary>Name a file is served under: its file name without extension.</summary>
    public static string NameOf(string path)
    {
        // A run folder's model.onnx is served under the run id (train3), not as "model".
        var name = Path.GetFileNameWithoutExtension(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        return name == "model" && dir is not null && File.Exists(Path.Combine(dir, "manifest.json")) ? Path.GetFileName(dir) : name;
    }

    /// <summary>The request's model name, or the default one; 404 when nothing matches.</summary>
    public string Resolve(string? requested)
    {
        if (!string.IsNullOrWhiteSpace(requested))
            return IsServed(requested) ? requested : throw new ModelNotFoundException(requested);
        if (_defaultModel is not null && IsServed(_defaultModel)) return _defaultModel;
        return List().FirstOrDefault()?.Name ?? throw new ModelNotFoundException("(default)");
    }

    private bool IsServed(string name) => _slots.TryGetValue(name, out var s) && s.CurrentOrNull is not null;

    /// <summary>Takes a reference on the current version of <paramref name="name"/>; dispose the lease when done.</summary>
    public ModelLease Acquire(string name)
    {
        while (true)
        {
            if (!_slots.TryGetValue(name, out var slot)) throw new ModelNotFoundException(name);
            var handle = slot.Current;
            if (handle.TryAcquire()) return new ModelLease(handle);
            // Lost a race with a swap that already released this version: the new one is in place, retry.
        }
    }

    public MicroBatcher Batcher(string name) =>
        _slots.TryGetValue(name, out var slot) && slot.Batcher is { } b ? b : throw new ModelNotFoundException(name);

    public IReadOnlyList<ModelHandle> List() =>
        _slots.Values.Select(s => s.CurrentOrNull).OfType<ModelHandle>().OrderBy(h => h.Name, StringComparer.Ordinal).ToList();

    /// <summary>Loads <paramref name="path"/> as a new model, or as a new version of the model already served under its name.</summary>
    public ModelHandle LoadOrReload(string path)
    {
        var name = NameOf(path);
        while (true)
        {
            var slot = _slots.GetOrAdd(name, _ => new Slot(name, path));
            lock (slot.LoadLock) // two (re)loads or a load and a removal of one model never interleave
            {
                if (slot.Removed) continue; // removed while we waited: start over with a fresh slot
                return LoadInto(slot, path);
            }
        }
    }

    private ModelHandle LoadInto(Slot slot, string path)
    {
        var clock = Stopwatch.StartNew();
        IImageModel model;
        try { model = _loader.Load(path); }
        catch (Exception e)
        {
            _metrics.ModelLoadFailed(slot.Name);
            if (slot.CurrentOrNull is null)
            {
                slot.Removed = true;
                _slots.TryRemove(new(slot.Name, slot));
            }
            _log.LogWarning("Model {Name} failed to load from {Path}: {Error}", slot.Name, path, e.Message);
            throw;
        }
        var previous = slot.CurrentOrNull;
        var handle = new ModelHandle(slot.Name, model, DateTimeOffset.UtcNow, clock.Elapsed, (previous?.Version ?? 0) + 1);
        slot.Path = path;
        slot.Batcher ??= new MicroBatcher(slot.Name, _batching, _metrics); // one queue per name, reused across versions
        slot.Publish(handle);
        previous?.Release(); // the registry's reference; in-flight requests keep theirs
        _metrics.ModelLoaded(slot.Name, handle.LoadTime);
        _log.LogInformation("Model {Name} v{Version} loaded in {Ms:0} ms", slot.Name, handle.Version, handle.LoadTime.TotalMilliseconds);
        return handle;
    }

    /// <summary>Reloads a served model from the file it came from (404 if the name is not served).</summary>
    public ModelHandle Reload(string name)
    {
        if (!_slots.TryGetValue(name, out var slot)) throw new ModelNotFoundException(name);
        return LoadOrReload(slot.Path);
    }

    /// <summary>Stops serving <paramref name="name"/>; queued requests still complete on the version they hold.</summary>
    public async Task RemoveAsync(string name)
    {
        if (!_slots.TryGetValue(name, out var slot)) return;
        lock (slot.LoadLock)
        {
            if (slot.Removed) return;
            slot.Removed = true;
            _slots.TryRemove(new(name, slot));
        }
        await slot.DisposeAsync();
        _metrics.ModelRemoved(name);
        _log.LogInformation("Model {Name} removed", name);
    }

    public string? PathOf(string name) => _slots.TryGetValue(name, out var slot) ? slot.Path : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _slots.Keys.ToList()) await RemoveAsync(name);
    }

    private sealed class Slot(string name, string path) : IAsyncDisposable
    {
        private ModelHandle? _current;

        public string Name { get; } = name;
        public string Path { get; set; } = path;
        public object LoadLock { get; } = new();
        /// <summary>Set under <see cref="LoadLock"/> once the slot left the registry; a load that sees it starts over.</summary>
        public bool Removed { get; set; }
        public ModelHandle? CurrentOrNull => Volatile.Read(ref _current);
        public ModelHandle Current => CurrentOrNull ?? throw new ModelNotFoundException(Name);
        /// <summary>Set once, under <see cref="LoadLock"/>, before the first version is published.</summary>
        public MicroBatcher? Batcher { get; set; }

        public void Publish(ModelHandle handle) => Volatile.Write(ref _current, handle);

        public async ValueTask DisposeAsync()
        {
            if (Batcher is not null) await Batcher.DisposeAsync();
            Interlocked.Exchange(ref _current, null)?.Release();
        }
    }
}

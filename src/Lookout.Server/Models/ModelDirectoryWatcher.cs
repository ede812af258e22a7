using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Models;

/// <summary>
/// Watches a models folder and (re)loads or removes models when their files change. Events are debounced per file
/// because a copy or an export arrives as several writes; a load that fails (half-written file) keeps the old
/// version serving and is retried on the next event. Atomic writers (temp file + rename) are the friendly case.
/// </summary>
public sealed class ModelDirectoryWatcher : IDisposable
{
    private readonly ModelRegistry _registry;
    private readonly string _directory;
    private readonly TimeSpan _debounce;
    private readonly ILogger _log;
    private readonly FileSystemWatcher _watcher;
    private readonly ConcurrentDictionary<string, Timer> _pending = new(StringComparer.Ordinal);
    private int _disposed;

    public ModelDirectoryWatcher(ModelRegistry registry, string directory, TimeSpan debounce, ILogger<ModelDirectoryWatcher> log)
    {
        _registry = registry;
        _directory = Path.GetFullPath(directory);
        _debounce = debounce;
        _log = log;
        _watcher = new FileSystemWatcher(_directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        _watcher.Created += (_, e) => Schedule(e.FullPath);
        _watcher.Changed += (_, e) => Schedule(e.FullPath);
        _watcher.Deleted += (_, e) => Schedule(e.FullPath);
        _watcher.Renamed += (_, e) => { Schedule(e.OldFullPath); Schedule(e.FullPath); };
        _watcher.Error += (_, e) => { _log.LogWarning("Model folder watch overflowed ({Error}); rescanning", e.GetException().Message); Rescan(); };
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Model files currently in the folder (by the loader's extensions).</summary>
    public static IReadOnlyList<string> ModelFilesIn(string directory, IImageModelLoader loader) =>
        Directory.EnumerateFiles(directory)
            .Where(f => IsModelFile(f, loader))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <remarks>Detectors trained with <c>train --task detect</c> share the folder but are served by the vision routes, not as classifiers.</remarks>
    private static bool IsModelFile(string path, IImageModelLoader loader) =>
        loader.Extensions.Any(ext => path.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
        && !Lookout.Core.Inference.Detectors.TrainedDetectorModel.IsDetectorFile(path);

    private void Schedule(string path)
    {
        if (!IsModelFile(path, _registry.Loader) || Volatile.Read(ref _disposed) != 0) return;
        _pending.AddOrUpdate(path,
            p => new Timer(_ => Apply(p), null, _debounce, Timeout.InfiniteTimeSpan),
            (_, timer) => { timer.Change(_debounce, Timeout.InfiniteTimeSpan); return timer; });
    }

    private void Apply(string path)
    {
        if (_pending.TryRemove(path, out var timer)) timer.Dispose();
        if (Volatile.Read(ref _disposed) != 0) return;
        try
        {
            if (File.Exists(path)) _registry.LoadOrReload(path);
            else if (_registry.PathOf(ModelRegistry.NameOf(path)) is { } served && PathsEqual(served, path))
                _registry.RemoveAsync(ModelRegistry.NameOf(path)).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            // Already logged by the registry for load failures; the previous version keeps serving.
            _log.LogDebug("Deferred model change for {File} not applied: {Error}", Path.GetFileName(path), e.Message);
        }
    }

    private void Rescan()
    {
        var present = ModelFilesIn(_directory, _registry.Loader);
        foreach (var f in present) Schedule(f);
        foreach (var h in _registry.List())
            if (_registry.PathOf(h.Name) is { } p && PathsEqual(Path.GetDirectoryName(p)!, _directory) && !File.Exists(p)) Schedule(p);
    }

    private static bool PathsEqual(string a, string b) => string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _watcher.Dispose();
        foreach (var t in _pending.Values) t.Dispose();
        _pending.Clear();
    }
}

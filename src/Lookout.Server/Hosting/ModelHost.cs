using Lookout.Core;
using Lookout.Server.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Hosting;

/// <summary>Loads the configured models before the server accepts requests, watches the folder, and unloads on stop.</summary>
internal sealed class ModelHost(ModelRegistry registry, ServerOptions options, ILoggerFactory loggers) : IHostedService
{
    private ModelDirectoryWatcher? _watcher;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var file in options.ModelFiles)
        {
            // A model the user named explicitly must load, or the server does not start.
            try { registry.LoadOrReload(Path.GetFullPath(file)); }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new LookoutException($"Cannot serve {file}: {e.Message}", e);
            }
        }
        if (options.ModelsDirectory is { } dir)
        {
            foreach (var file in ModelDirectoryWatcher.ModelFilesIn(dir, registry.Loader))
            {
                try { registry.LoadOrReload(file); }
                catch (Exception e) when (e is InvalidDataException or IOException) { /* logged; others still serve */ }
            }
            if (options.WatchModels)
                _watcher = new ModelDirectoryWatcher(registry, dir, options.ReloadDebounce, loggers.CreateLogger<ModelDirectoryWatcher>());
        }
        if (registry.List().Count == 0)
            loggers.CreateLogger<ModelHost>().LogWarning("No model loaded yet; requests will get 404 until one appears.");
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _watcher?.Dispose();
        await registry.DisposeAsync();
    }
}

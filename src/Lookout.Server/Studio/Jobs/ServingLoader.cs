using Lookout.Core.Studio.Serving;
using Lookout.Server.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Studio.Jobs;

/// <summary>At start, serves every project's promoted models (each under its name), as they were when the server stopped.</summary>
internal sealed class ServingLoader(StudioHost studio, ModelRegistry registry, ILogger<ServingLoader> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var project in studio.Store.List())
            foreach (var (current, path) in Promotion.Current(project))
            {
                try { registry.LoadOrReload(path); }
                catch (Exception e) when (e is InvalidDataException or IOException) { log.LogWarning("Promoted model {Name} ({Run}) did not load: {Error}", current.Name, current.Run, e.Message); }
            }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

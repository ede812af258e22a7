using Lookout.Core.Studio.Serving;
using Lookout.Server.Models;
using Lookout.Server.Vision;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Studio.Jobs;

/// <summary>At start, serves every project's promoted models (each under its name), as they were when the server stopped.</summary>
internal sealed class ServingLoader(StudioHost studio, ModelRegistry registry, VisionModels vision, ILogger<ServingLoader> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var project in studio.Store.List())
            foreach (var (current, path) in Promotion.Current(project))
            {
                try { Serve(current.Name, path, registry, vision); }
                catch (Exception e) when (e is InvalidDataException or IOException) { log.LogWarning("Promoted model {Name} ({Run}) did not load: {Error}", current.Name, current.Run, e.Message); }
            }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// A classifier goes to the model registry (/v1/classify); a trained detector to the vision models (/v1/detect and the
    /// DeepStack custom route), since the registry's loader and its folder watcher serve classifiers only.
    /// </summary>
    public static void Serve(string name, string path, ModelRegistry registry, VisionModels vision)
    {
        if (Lookout.Core.Inference.Detectors.TrainedDetectorModel.IsDetectorFile(path)) vision.ServeDetector(name, path);
        else registry.LoadOrReload(path);
    }
}

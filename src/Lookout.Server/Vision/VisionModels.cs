using System.Diagnostics;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Inference.Faces;
using Lookout.Server.Api;
using Lookout.Server.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Vision;

/// <summary>
/// The detector and the face models, each opened once on first use (never at startup: a server that only classifies
/// must not need them, nor wait for them) and then shared by all requests (both are thread-safe). A failed open is
/// not cached: the next request tries again (e.g. after the user fetched the models).
/// </summary>
public sealed class VisionModels(ServerOptions options, ServerMetrics metrics, ILogger<VisionModels> log) : IDisposable
{
    private readonly Lock _lock = new();
    private DetectorService? _detector;
    private FaceAnalyzer? _faces;
    private bool _disposed;

    public string DetectorName => options.Detector.ToLowerInvariant();
    public const string FacesName = "faces";

    public DetectorService Detector => Get(ref _detector, DetectorName, () => DetectorService.Open(DetectorName));
    public FaceAnalyzer Faces => Get(ref _faces, FacesName, () => FaceAnalyzer.Open());

    public bool DetectorLoaded => Volatile.Read(ref _detector) is not null;
    public bool FacesLoaded => Volatile.Read(ref _faces) is not null;

    /// <summary>The gallery in the workspace's catalog; cheap (the database is opened per call).</summary>
    public FaceService FaceService => new(Faces, options.CatalogPath);

    private T Get<T>(ref T? field, string name, Func<T> open) where T : class
    {
        var loaded = Volatile.Read(ref field);
        if (loaded is not null) return loaded;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (field is not null) return field;
            var clock = Stopwatch.StartNew();
            try
            {
                var opened = open();
                Volatile.Write(ref field, opened);
                metrics.ModelLoaded(name, clock.Elapsed);
                log.LogInformation("Loaded the {Model} model in {Ms:0} ms", name, clock.Elapsed.TotalMilliseconds);
                return opened;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The reason names cache paths: it goes to the log; the client learns only that the model is missing.
                metrics.ModelLoadFailed(name);
                log.LogError(e, "Cannot open the {Model} model", name);
                throw new ApiException(StatusCodes.Status503ServiceUnavailable,
                    $"the {name} model is not available on this server (see its log; scripts/fetch-models.sh fetches the models)");
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _detector?.Dispose();
            _faces?.Dispose();
            _detector = null;
            _faces = null;
        }
    }
}

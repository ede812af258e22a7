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

    private readonly Dictionary<string, DetectorService> _named = new(StringComparer.Ordinal);

    /// <summary>
    /// The detector a request names: empty for the server's default, a catalog name (nanodet, centernet), or a detector
    /// trained with <c>train --task detect</c> and exported into the models folder as <c>name.onnx</c>. Null when no
    /// detector has that name (the caller answers 404 or falls back to a classifier).
    /// </summary>
    public DetectorService? DetectorFor(string? model)
    {
        if (string.IsNullOrWhiteSpace(model) || string.Equals(model, DetectorName, StringComparison.OrdinalIgnoreCase)) return Detector;
        var name = model.Trim().ToLowerInvariant();
        string? path = DetectorModel.Names.Contains(name) ? name : TrainedPath(model.Trim());
        if (path is null) return null;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_named.TryGetValue(path, out var open)) return open;
        }
        DetectorService? field = null;
        var opened = Get(ref field, model, () => DetectorService.Open(path));
        lock (_lock)
        {
            if (_named.TryGetValue(path, out var raced)) { opened.Dispose(); return raced; }
            _named[path] = opened;
        }
        return opened;
    }

    /// <summary>
    /// Serves a trained detector file under <paramref name="name"/> (the studio's "Serve this run" of a detector run),
    /// before the models folder's file of that name; a newer file at the same path is picked up on the next request
    /// (hot swap). The replaced detector stays open until the server stops, because a request may still be using it.
    /// </summary>
    public void ServeDetector(string name, string path)
    {
        if (!TrainedDetectorModel.IsDetectorFile(path)) throw new InvalidDataException($"{Path.GetFileName(path)} is not a trained detector");
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _served[name] = path;
            if (_named.Remove(path, out var old)) _retired.Add(old);
        }
    }

    private readonly Dictionary<string, string> _served = new(StringComparer.Ordinal);
    private readonly List<DetectorService> _retired = [];

    /// <summary>Detector models in the models folder: <c>name.onnx</c> whose metadata marks a trained detector.</summary>
    private string? TrainedPath(string model)
    {
        string? served;
        lock (_lock) served = _served.GetValueOrDefault(model);
        if (served is not null && TrainedDetectorModel.IsDetectorFile(served)) return served; // a classifier promoted over it since is not a detector
        if (options.ModelsDirectory is not { } dir || model.Contains('/') || model.Contains('\\') || model.Contains("..")) return null;
        var file = Path.Combine(dir, model + ".onnx");
        return TrainedDetectorModel.IsDetectorFile(file) ? file : null;
    }

    /// <summary>Names of the trained detectors in the models folder.</summary>
    public IReadOnlyList<string> TrainedDetectorNames()
    {
        var inFolder = options.ModelsDirectory is { } dir && Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.onnx").Where(TrainedDetectorModel.IsDetectorFile).Select(f => Path.GetFileNameWithoutExtension(f))
            : [];
        List<string> served;
        lock (_lock) served = _served.Where(s => TrainedDetectorModel.IsDetectorFile(s.Value)).Select(s => s.Key).ToList();
        return inFolder.Concat(served).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }
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
            foreach (var d in _named.Values.Concat(_retired)) d.Dispose();
            _named.Clear();
            _retired.Clear();
            _detector = null;
            _faces = null;
        }
    }
}

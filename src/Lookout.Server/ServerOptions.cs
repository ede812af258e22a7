using Lookout.Core;
using Lookout.Core.Imaging;

namespace Lookout.Server;

/// <summary>Everything <c>lookout serve</c> can set. Defaults live here and nowhere else.</summary>
public sealed record ServerOptions
{
    /// <summary>Listen address(es), semicolon separated. Loopback by default: exposing the API is a deliberate choice.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";
    /// <summary>Folder of exported models (<c>name.onnx</c>); watched for changes when <see cref="WatchModels"/>.</summary>
    public string? ModelsDirectory { get; init; }
    /// <summary>Extra single model files, served under their file name without extension.</summary>
    public IReadOnlyList<string> ModelFiles { get; init; } = [];
    /// <summary>Model used when a request names none; null = the only model, or the first by name.</summary>
    public string? DefaultModel { get; init; }
    public bool WatchModels { get; init; } = true;
    /// <summary>Quiet time after the last file event before a model is (re)loaded; copies arrive in several writes.</summary>
    public TimeSpan ReloadDebounce { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>When set, every /v1 and /metrics request needs header <c>X-Api-Key</c> or <c>Authorization: Bearer</c>.</summary>
    public string? ApiKey { get; init; }
    /// <summary>File holding the API key (first line, trimmed); keeps the key out of the process list.</summary>
    public string? ApiKeyFile { get; init; }
    /// <summary>Origins allowed by CORS; empty = no CORS headers at all (browsers block cross-origin calls).</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    public long MaxUploadBytes { get; init; } = 20L * 1024 * 1024;
    public long MaxPixels { get; init; } = 50_000_000;

    /// <summary>
    /// Largest batch one forward pass takes; 1 turns micro-batching off. Kept below the number of clients a small
    /// box serves at once: a cap that takes every waiting request can move all clients in lockstep (all decode, then
    /// all wait for one long pass) instead of some decoding while others are in the model, and ONNX Runtime keeps the
    /// largest batch's activations for the model's life (a 224-px backbone: ~180 MB at 8, ~260 MB at 16).
    /// </summary>
    public int MaxBatchSize { get; init; } = 8;
    /// <summary>
    /// Forward passes of one model that may run at once; 0 = one per core. Each pass gets cores / workers ONNX Runtime
    /// threads (one each by default): side-by-side single-threaded passes keep every core busy without one pass's
    /// threads waiting for each other (measured in the serve bench, where one 2-thread pass at a time was the bottleneck).
    /// </summary>
    public int InferenceWorkers { get; init; }

    /// <summary>ONNX Runtime threads per pass; 0 = the cores divided between the workers (at least one).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>The number of passes that run at once (<see cref="InferenceWorkers"/> resolved).</summary>
    public int ResolvedInferenceWorkers => InferenceWorkers > 0 ? InferenceWorkers : Environment.ProcessorCount;
    /// <summary>
    /// How long the first request of a batch waits for company. Zero (the default) = take only what is already
    /// queued: batches then form only when requests really wait behind a running pass, and an idle model never waits.
    /// </summary>
    public TimeSpan MaxBatchWait { get; init; } = TimeSpan.Zero;
    /// <summary>Requests waiting per model beyond which the server answers 503 at once instead of queueing.</summary>
    public int QueueCapacity { get; init; } = 64;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Seconds a 503 tells the client to wait (Retry-After).</summary>
    public int RetryAfterSeconds { get; init; } = 1;
    public int DefaultTop { get; init; } = 5;

    /// <summary>
    /// Workspace folder whose <c>catalog.db</c> holds the face gallery (the one <c>lookout faces</c> enrolls into).
    /// Resolved against the current folder when the options are created, as the CLI's other commands do.
    /// </summary>
    public string Workspace { get; init; } = Path.Combine(Environment.CurrentDirectory, Core.Workspace.DefaultFolderName);
    /// <summary>Catalog detector behind /v1/detect and /v1/vision/detection (loaded on first use, not at startup).</summary>
    public string Detector { get; init; } = Core.Inference.Detectors.DetectorModel.DefaultName;
    /// <summary>
    /// Detector / face calls running at once; more wait (up to <see cref="QueueCapacity"/>, then 503). These graphs are
    /// batch-1 and ONNX Runtime already spreads one call over the cores, so more parallelism only adds memory.
    /// </summary>
    public int VisionConcurrency { get; init; } = 2;

    /// <summary>
    /// Folder of studio projects (<c>lookout studio DIR</c>); null = no studio. On an address other than loopback
    /// the studio needs an API key (the browser logs in with it), so it is never open on the LAN by default.
    /// </summary>
    public string? StudioDirectory { get; init; }
    /// <summary>Largest video a studio upload or capture may be (photos keep <see cref="MaxUploadBytes"/>).</summary>
    public long MaxVideoUploadBytes { get; init; } = 500L * 1024 * 1024;
    /// <summary>
    /// Address ranges URL imports may reach besides public addresses (e.g. <c>127.0.0.1/32</c> for a test, or a NAS on
    /// <c>192.168.1.0/24</c>). Empty by default: loopback, private, link-local, multicast and metadata ranges are refused.
    /// </summary>
    public IReadOnlyList<string> ImportAllowedRanges { get; init; } = [];

    /// <summary>
    /// After SIGTERM/Ctrl+C: how long the server reports not-ready on <c>/healthz/ready</c> while still answering every
    /// request, before it closes its port and finishes in-flight work. Behind a load balancer this lets traffic move
    /// to other replicas without a single failed request; zero (the default) stops at once, as a desktop user expects.
    /// </summary>
    public TimeSpan DrainPeriod { get; init; } = TimeSpan.Zero;
    public static readonly TimeSpan MaxDrainPeriod = TimeSpan.FromSeconds(60);

    public string CatalogPath => new Core.Workspace(Workspace).CatalogPath;

    /// <summary>True when every listen URL is a loopback address (127.x, ::1, localhost).</summary>
    public static bool ListensOnLoopbackOnly(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(u =>
        {
            if (!Uri.TryCreate(u.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri)) return false;
            return uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
        });

    public ImageLimits ImageLimits => new() { MaxFileBytes = MaxUploadBytes, MaxPixels = MaxPixels };

    /// <summary>Checks the options and returns the effective API key (from <see cref="ApiKey"/> or the file), or null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Urls)) throw new LookoutException("No listen address given.");
        if (ModelsDirectory is null && ModelFiles.Count == 0 && StudioDirectory is null) throw new LookoutException("No models to serve: give a models directory or a model file.");
        if (ModelsDirectory is not null && !Directory.Exists(ModelsDirectory)) throw new LookoutException($"Models directory not found: {ModelsDirectory}");
        foreach (var f in ModelFiles)
            if (!File.Exists(f)) throw new LookoutException($"Model file not found: {f}");
        if (MaxUploadBytes < 1024) throw new LookoutException("Max upload size must be at least 1 KB.");
        if (MaxPixels < 1) throw new LookoutException("Max pixels must be positive.");
        if (MaxBatchSize < 1) throw new LookoutException("Max batch size must be at least 1.");
        if (IntraOpThreads < 0) throw new LookoutException("Intra-op threads must be 0 (automatic) or more.");
        if (InferenceWorkers < 0) throw new LookoutException("Inference workers must be 0 (one per core) or more.");
        if (MaxBatchWait < TimeSpan.Zero || MaxBatchWait > TimeSpan.FromSeconds(1)) throw new LookoutException("Max batch wait must be between 0 and 1000 ms.");
        if (QueueCapacity < 1) throw new LookoutException("Queue capacity must be at least 1.");
        if (RequestTimeout <= TimeSpan.Zero) throw new LookoutException("Request timeout must be positive.");
        if (DefaultTop < 1) throw new LookoutException("Default top must be at least 1.");
        if (string.IsNullOrWhiteSpace(Workspace)) throw new LookoutException("No workspace folder given.");
        if (!Core.Inference.Detectors.DetectorModel.Names.Contains(Detector, StringComparer.OrdinalIgnoreCase))
            throw new LookoutException($"Unknown detector '{Detector}'; choose one of: {string.Join(", ", Core.Inference.Detectors.DetectorModel.Names)}.");
        if (DrainPeriod < TimeSpan.Zero || DrainPeriod > MaxDrainPeriod) throw new LookoutException($"Drain period must be between 0 and {MaxDrainPeriod.TotalSeconds:0} s.");
        if (VisionConcurrency < 1) throw new LookoutException("Vision concurrency must be at least 1.");
        if (ApiKey is not null && ApiKeyFile is not null) throw new LookoutException("Give the API key inline or as a file, not both.");
        var key = ApiKey;
        if (ApiKeyFile is not null)
        {
            if (!File.Exists(ApiKeyFile)) throw new LookoutException($"API key file not found: {ApiKeyFile}");
            key = File.ReadLines(ApiKeyFile).FirstOrDefault()?.Trim();
        }
        if (key is not null && key.Length < 8) throw new LookoutException("The API key must be at least 8 characters.");
        if (StudioDirectory is not null && key is null && !ListensOnLoopbackOnly(Urls))
            throw new LookoutException("The studio accepts uploads and camera captures: on an address other than loopback it needs an API key (--api-key-file), which the browser asks for once.");
        foreach (var range in ImportAllowedRanges)
            if (!System.Net.IPNetwork.TryParse(range, out _)) throw new LookoutException($"Not an address range (CIDR): {range}");
        return key;
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;

namespace Lookout.Core.Embeddings;

/// <summary>
/// Embeddings aligned with the requested items: <c>Vectors[i]</c> is item i's embedding, or null if it failed
/// (then an <see cref="ItemError"/> names it). <see cref="FromCache"/> counts items served without decoding.
/// </summary>
public sealed record EmbeddingSet(float[]?[] Vectors, IReadOnlyList<ItemError> Errors, int Dim, int FromCache, double ImagesPerSecond);

/// <summary>
/// Turns images into backbone embeddings: cached vectors first, then the rest decoded in parallel and run in
/// batches through one ONNX Runtime session, then written back to the cache. Identical content is embedded once.
/// </summary>
public sealed class EmbeddingExtractor : IDisposable
{
    private readonly Backbone _backbone;
    private readonly EmbeddingCache? _cache;
    private readonly OnnxRunnerOptions? _options;
    private OnnxImageRunner? _runner;

    public EmbeddingExtractor(Backbone backbone, EmbeddingCache? cache = null, OnnxRunnerOptions? options = null)
    {
        _backbone = backbone;
        _cache = cache;
        _options = options;
    }

    /// <summary>The ONNX Runtime session, created on first need: a fully cached request never loads the backbone.</summary>
    private OnnxImageRunner Runner => _runner ??= new OnnxImageRunner(_backbone.OnnxPath, Backbone.OutputName, _backbone.Spec, _options);

    public Backbone Backbone => _backbone;

    public async Task<EmbeddingSet> ExtractAsync(IReadOnlyList<LabeledImage> items, IProgress<BatchProgress>? progress = null,
        CancellationToken ct = default)
    {
        string specFp = _backbone.Spec.Fingerprint();
        var cached = _cache?.GetMany(_backbone.CacheKey, specFp, items.Where(i => i.Sha256.Length > 0).Select(i => i.Sha256))
            ?? new Dictionary<string, float[]>();

        // One representative path per missing content hash; items without a hash are always computed.
        var todo = new List<string>();
        var todoKey = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var key = KeyOf(item);
            if (cached.ContainsKey(key) || !seen.Add(key)) continue;
            todo.Add(item.Path);
            todoKey.Add(key);
        }

        var computed = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new List<KeyValuePair<string, float[]>>();
        double rate = 0;
        IProgress<BatchProgress> report = new SyncProgress(p => { rate = p.ImagesPerSecond; progress?.Report(p); });
        try
        {
            if (todo.Count > 0)
            {
                await foreach (var outcome in Runner.RunFilesAsync(todo, report, ct))
                {
                    var key = todoKey[outcome.Index];
                    if (outcome.Output is not { } v) { failed[key] = outcome.Error ?? "unknown error"; continue; }
                    computed[key] = v;
                    if (!key.StartsWith(PathKeyPrefix, StringComparison.Ordinal)) pending.Add(new(key, v));
                    if (pending.Count >= FlushEvery) Flush(pending, specFp);
                }
            }
        }
        finally
        {
            Flush(pending, specFp); // a cancelled or failed run keeps what it already computed
        }

        var vectors = new float[]?[items.Count];
        var errors = new List<ItemError>();
        for (int i = 0; i < items.Count; i++)
        {
            var key = KeyOf(items[i]);
            if (cached.TryGetValue(key, out var v) || computed.TryGetValue(key, out v)) vectors[i] = v;
            else errors.Add(new ItemError(items[i].Path, failed.GetValueOrDefault(key, "not embedded")));
        }
        int fromCache = items.Count(i => cached.ContainsKey(i.Sha256));
        return new EmbeddingSet(vectors, errors, _backbone.EmbeddingDim, fromCache, rate);
    }

    private const string PathKeyPrefix = "path:";
    private const int FlushEvery = 256;

    private static string KeyOf(LabeledImage item) => item.Sha256.Length > 0 ? item.Sha256 : PathKeyPrefix + item.Path;

    private void Flush(List<KeyValuePair<string, float[]>> pending, string specFp)
    {
        if (pending.Count == 0) return;
        _cache?.PutMany(_backbone.CacheKey, specFp, pending);
        pending.Clear();
    }

    public void Dispose() => _runner?.Dispose();

    /// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
    private sealed class SyncProgress(Action<BatchProgress> report) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => report(value);
    }
}

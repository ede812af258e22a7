using System.Collections.Concurrent;
using System.Security.Cryptography;
using Lookout.Core;
using Lookout.Core.Inference;
using Lookout.Core.Models;

namespace Lookout.Scale.Jobs;

/// <summary>A job's model as a worker runs it: the classifier (labels, preprocessing, "unknown") and, for embed jobs, its embedding output.</summary>
public sealed class WorkerModel : IDisposable
{
    private readonly Lazy<OnnxImageRunner> _embedder;

    public WorkerModel(string path, OnnxRunnerOptions options)
    {
        Classifier = ClassifierModel.Load(path, options);
        _embedder = new Lazy<OnnxImageRunner>(() => new OnnxImageRunner(path, ModelMetadata.EmbeddingOutput, Classifier.Spec, options));
    }

    public ClassifierModel Classifier { get; }
    public OnnxImageRunner Embedder => _embedder.Value;

    public void Dispose()
    {
        Classifier.Dispose();
        if (_embedder.IsValueCreated) _embedder.Value.Dispose();
    }
}

/// <summary>
/// Models by id (their SHA-256), fetched from the database the first time a batch names them, checked against their
/// hash, kept in a local folder (so a restarted worker does not fetch again) and loaded once per process.
/// </summary>
public sealed class WorkerModels(Func<string, CancellationToken, Task<byte[]?>> fetch, string cacheDir, OnnxRunnerOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<WorkerModel>>> _loaded = new();

    public async Task<WorkerModel> GetAsync(string modelId, CancellationToken ct)
    {
        var load = _loaded.GetOrAdd(modelId, id => new Lazy<Task<WorkerModel>>(() => LoadAsync(id, ct)));
        try { return await load.Value; }
        catch
        {
            // A failed load (database down, model missing) is not remembered: the next batch tries again.
            _loaded.TryRemove(KeyValuePair.Create(modelId, load));
            throw;
        }
    }

    private async Task<WorkerModel> LoadAsync(string modelId, CancellationToken ct)
    {
        if (modelId.Length != 64 || !modelId.All(Uri.IsHexDigit)) throw new InvalidDataException($"'{modelId}' is not a model id");
        Directory.CreateDirectory(cacheDir);
        var path = Path.Combine(cacheDir, modelId + ".onnx");
        if (!File.Exists(path) || Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path, ct))) != modelId)
        {
            var bytes = await fetch(modelId, ct) ?? throw new LookoutException($"model {modelId} is not in the database");
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != modelId) throw new InvalidDataException($"model {modelId} in the database does not match its hash");
            var temp = path + $".{Environment.ProcessId}.tmp";
            await File.WriteAllBytesAsync(temp, bytes, ct);
            File.Move(temp, path, overwrite: true);
        }
        return new WorkerModel(path, options);
    }

    public void Dispose()
    {
        foreach (var m in _loaded.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully)) m.Value.Result.Dispose();
    }
}

using System.Diagnostics;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Server.Api;
using Lookout.Server.Models;

namespace Lookout.Server.Inference;

/// <summary>
/// A classification: the model version used, all classes ranked by score, and timings. When a calibrated model
/// rejects the image, <see cref="Ranked"/> starts with <c>unknown</c> carrying the best class's score (the list stays
/// sorted and a client reading the top entry answers "unknown"), followed by the classes as usual.
/// </summary>
public sealed record Classification(
    string Model, int ModelVersion, IReadOnlyList<Prediction> Ranked, TimeSpan DecodeTime, TimeSpan InferenceTime, bool Unknown = false);

/// <summary>
/// The server's one classification path: resolve the model, decode the bytes with that model's
/// <see cref="PreprocessSpec"/> (content sniffed, limits enforced), queue for a batched forward pass, rank.
/// Exactly what <c>lookout predict</c> does with the same file, so the scores are identical.
/// </summary>
public sealed class ClassificationService(ModelRegistry registry, ServerOptions options, Metrics.ServerMetrics metrics)
{
    public async Task<Classification> ClassifyAsync(string? modelName, byte[] image, CancellationToken ct)
    {
        var name = registry.Resolve(modelName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.RequestTimeout);
        using var lease = registry.Acquire(name);
        var model = lease.Handle.Model;

        var batcher = registry.Batcher(name);
        batcher.ThrowIfFull(); // refuse before spending CPU on decoding when the answer would be 503 anyway

        var clock = Stopwatch.StartNew();
        var pixels = ImageLoader.Load(image, model.Spec, options.ImageLimits);
        var decodeTime = clock.Elapsed;
        metrics.ObserveDecode(name, decodeTime);

        ModelRow row;
        try { row = await batcher.SubmitAsync(lease.Handle, pixels, timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ServerOverloadedException($"model '{name}' did not answer within {options.RequestTimeout.TotalSeconds:0.#} s; retry shortly", options.RetryAfterSeconds);
        }
        var ranked = Prediction.Rank(model.Labels, row.Probabilities);
        if (row.Unknown) ranked = [new Prediction(Lookout.Core.Inference.Rejection.RejectionThresholds.UnknownLabel, ranked[0].Score), .. ranked];
        return new Classification(name, lease.Handle.Version, ranked, decodeTime, clock.Elapsed - decodeTime, row.Unknown);
    }
}

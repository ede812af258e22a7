using System.Diagnostics;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Server.Api;
using Lookout.Server.Models;

namespace Lookout.Server.Inference;

/// <summary>A classification: the model version used, all classes ranked by score, and timings.</summary>
public sealed record Classification(
    string Model, int ModelVersion, IReadOnlyList<Prediction> Ranked, TimeSpan DecodeTime, TimeSpan InferenceTime);

/// <summary>
/// The server's one classification path: resolve the model, decode the bytes with that model's
/// <see cref="PreprocessSpec"/> (content sniffed, limits enforced), queue for a batched forward pass, rank.
/// Exactly what <c>lookout predict</c> does with the same file, so the scores are identical.
/// </summary>
public sealed class ClassificationService(ModelRegistry registry, ServerOptions options)
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

        float[] probs;
        try { probs = await batcher.SubmitAsync(lease.Handle, pixels, timeout.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ServerOverloadedException($"model '{name}' did not answer within {options.RequestTimeout.TotalSeconds:0.#} s; retry shortly", options.RetryAfterSeconds);
        }
        return new Classification(name, lease.Handle.Version, Prediction.Rank(model.Labels, probs), decodeTime, clock.Elapsed - decodeTime);
    }
}

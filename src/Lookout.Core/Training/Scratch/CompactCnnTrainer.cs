using System.Diagnostics;
using Lookout.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Lookout.Core.Training.Scratch;

/// <summary>A trained compact CNN, the normalisation it was trained with, its per-epoch metrics and the kernels used.</summary>
public sealed record CompactCnnFit(CompactCnn Model, float[] Mean, float[] Std, IReadOnlyList<EpochMetrics> Epochs, CnnKernelChoice Kernels) : IDisposable
{
    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Trains <see cref="CompactCnn"/> from scratch on small images at native resolution: SGD with Nesterov momentum and
/// weight decay, one-cycle learning rate over all steps (linear warm-up, then cosine to zero), label smoothing, and
/// augmented batches (<see cref="BatchBuilder"/>). Validation loss and accuracy are reported every epoch; the
/// schedule ends at a low learning rate, so the last epoch's weights are kept (or, with
/// <see cref="CompactCnnOptions.Patience"/>, the run stops early and keeps the best). Seeded: same data, same model.
/// </summary>
public static class CompactCnnTrainer
{
    public static CompactCnnFit Train(SmallImageSet train, SmallImageSet? val, int classes, CompactCnnOptions options,
        ITrainingObserver? observer = null, CancellationToken ct = default)
    {
        options.Validate();
        if (train.Count < 2) throw new ArgumentException("Training needs at least 2 images.", nameof(train));
        TorchRuntime.EnsureVerified();
        var (mean, std) = train.ChannelStats();
        var model = new CompactCnn(classes, options);
        try
        {
            var kernels = CompactCnnKernels.Choose(model, train.Height, train.Width);
            observer?.OnStage($"compact CNN kernels: {kernels.Reason}");
            using var _ = TorchRuntime.Use(kernels.Kernels);
            var epochs = Run(model, train, val, mean, std, options, observer, ct);
            return new CompactCnnFit(model, mean, std, epochs, kernels);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static List<EpochMetrics> Run(CompactCnn model, SmallImageSet train, SmallImageSet? val, float[] mean, float[] std,
        CompactCnnOptions options, ITrainingObserver? observer, CancellationToken ct)
    {
        var trainBatches = new BatchBuilder(train, mean, std, options);
        var valBatches = val is { Count: > 0 } ? new BatchBuilder(val, mean, std, options) : null;
        using var optimizer = optim.SGD(model.parameters(), options.LearningRate, options.Momentum, 0, options.WeightDecay, nesterov: true);
        var rng = new Random(options.Seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        int perEpoch = train.Count / options.BatchSize + (train.Count % options.BatchSize >= 2 ? 1 : 0);
        long totalSteps = (long)perEpoch * options.Epochs, step = 0;
        var history = new List<EpochMetrics>();
        var clock = Stopwatch.StartNew();
        double best = double.PositiveInfinity; int sinceBest = 0;
        Dictionary<string, Tensor>? bestState = null;

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            rng.Shuffle(order);
            model.train();
            double lossSum = 0; long correct = 0, seen = 0;
            for (int start = 0; start + 2 <= order.Length; start += options.BatchSize)
            {
                ct.ThrowIfCancellationRequested();
                int n = Math.Min(options.BatchSize, order.Length - start);
                using var scope = NewDisposeScope();
                foreach (var g in optimizer.ParamGroups) g.LearningRate = LearningRate(options, step++, totalSteps);
                var x = trainBatches.Tensor(order.AsSpan(start, n), rng);
                var y = tensor(order.AsSpan(start, n).ToArray().Select(i => (long)train.Labels[i]).ToArray());
                optimizer.zero_grad();
                var logits = model.call(x);
                var loss = nn.functional.cross_entropy(logits, y, label_smoothing: options.LabelSmoothing);
                loss.backward();
                float lossValue = loss.item<float>();
                if (!float.IsFinite(lossValue))
                    throw new LookoutException($"training diverged at epoch {epoch} (loss {lossValue}); try a lower learning rate");
                // Clipping keeps an unlucky early step from blowing the small network up (warm-up covers the rest).
                nn.utils.clip_grad_norm_(model.parameters(), 5.0);
                optimizer.step();
                lossSum += lossValue * n;
                correct += logits.argmax(1).eq(y).sum().item<long>();
                seen += n;
            }
            var (valLoss, valAcc) = valBatches is null ? (double.NaN, double.NaN) : Evaluate(model, valBatches, val!);
            bool improved = valBatches is null || valLoss < best - 1e-6;
            if (improved && valBatches is not null) { best = valLoss; sinceBest = 0; if (options.Patience > 0) bestState = Snapshot(model, bestState); }
            else sinceBest++;
            var m = new EpochMetrics(epoch, lossSum / seen, (double)correct / seen, valLoss, valAcc, improved, clock.Elapsed);
            history.Add(m);
            observer?.OnEpochEnd(m);
            if (options.Patience > 0 && valBatches is not null && sinceBest >= options.Patience) break;
        }
        if (bestState is not null && sinceBest > 0) Restore(model, bestState);
        if (bestState is not null) foreach (var t in bestState.Values) t.Dispose();
        model.eval();
        return history;
    }

    /// <summary>Linear warm-up from 10% to the peak, then half a cosine down to zero at the last step.</summary>
    internal static double LearningRate(CompactCnnOptions o, long step, long total)
    {
        long warm = Math.Max(1, (long)(o.WarmupFraction * total));
        if (step < warm) return o.LearningRate * (0.1 + 0.9 * step / warm);
        double t = (double)(step - warm) / Math.Max(1, total - warm);
        return o.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(t, 1)));
    }

    /// <summary>Plain cross-entropy and accuracy on unaugmented images, in eval mode (running BatchNorm statistics).</summary>
    public static (double Loss, double Accuracy) Evaluate(CompactCnn model, SmallImageSet set, float[] mean, float[] std) =>
        Evaluate(model, new BatchBuilder(set, mean, std, new CompactCnnOptions()), set);

    private static (double Loss, double Accuracy) Evaluate(CompactCnn model, BatchBuilder batches, SmallImageSet set)
    {
        using var _ = no_grad();
        model.eval();
        double lossSum = 0; long correct = 0;
        var idx = Enumerable.Range(0, set.Count).ToArray();
        for (int start = 0; start < idx.Length; start += 256)
        {
            int n = Math.Min(256, idx.Length - start);
            using var scope = NewDisposeScope();
            var x = batches.Tensor(idx.AsSpan(start, n), null);
            var y = tensor(idx.AsSpan(start, n).ToArray().Select(i => (long)set.Labels[i]).ToArray());
            var logits = model.call(x);
            lossSum += nn.functional.cross_entropy(logits, y).item<float>() * n;
            correct += logits.argmax(1).eq(y).sum().item<long>();
        }
        model.train();
        return (lossSum / set.Count, (double)correct / set.Count);
    }

    /// <summary>Embeddings of unaugmented images (eval mode), row per image.</summary>
    public static float[][] Embed(CompactCnn model, SmallImageSet set, float[] mean, float[] std)
    {
        var batches = new BatchBuilder(set, mean, std, new CompactCnnOptions());
        using var _ = no_grad();
        model.eval();
        var rows = new float[set.Count][];
        var idx = Enumerable.Range(0, set.Count).ToArray();
        for (int start = 0; start < idx.Length; start += 256)
        {
            int n = Math.Min(256, idx.Length - start);
            using var scope = NewDisposeScope();
            var x = batches.Tensor(idx.AsSpan(start, n), null);
            var e = model.Embed(x).contiguous().data<float>().ToArray();
            int d = e.Length / n;
            for (int i = 0; i < n; i++) rows[start + i] = e.AsSpan(i * d, d).ToArray();
        }
        return rows;
    }

    private static Dictionary<string, Tensor> Snapshot(CompactCnn model, Dictionary<string, Tensor>? previous)
    {
        if (previous is not null) foreach (var t in previous.Values) t.Dispose();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    private static void Restore(CompactCnn model, Dictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        foreach (var (name, value) in model.state_dict()) value.copy_(state[name]);
    }
}

using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Lookout.Core.Training;

/// <summary>Labelled embeddings for one split: row i has class index <c>Y[i]</c>.</summary>
public sealed record EmbeddingData(float[][] X, int[] Y)
{
    public int Count => Y.Length;
}

public sealed record HeadFit(HeadWeights Head, IReadOnlyList<EpochMetrics> Epochs, int BestEpoch);

/// <summary>
/// Trains a softmax head on embeddings with TorchSharp: standardised inputs, AdamW, label smoothing,
/// inverse-frequency class weights, early stopping on validation loss (the best epoch's weights are kept; without
/// validation data every epoch runs and the last one is kept). Fully determined by the options' seed: same inputs and
/// seed give bit-identical weights.
/// </summary>
public static class HeadTrainer
{
    public static HeadFit Fit(EmbeddingData train, EmbeddingData? val, IReadOnlyList<string> labels, TrainOptions options,
        ITrainingObserver? observer = null, CancellationToken ct = default)
    {
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("No training embeddings.", nameof(train));
        int dim = train.X[0].Length, classes = labels.Count;
        var device = TorchDevice.Pick(options.Device);
        var (mean, std) = MeanStd(train.X, dim);
        bool hasVal = val is { Count: > 0 };

        using var scope = NewDisposeScope();
        using var head = new HeadModule(dim, options.Hidden, classes, options.Dropout, options.Seed);
        head.to(device);
        var xTrain = TorchHead.Standardise(TorchHead.ToTensor(train.X, dim).to(device), mean, std);
        var yTrain = tensor(train.Y.Select(v => (long)v).ToArray()).to(device);
        var xVal = hasVal ? TorchHead.Standardise(TorchHead.ToTensor(val!.X, dim).to(device), mean, std) : null;
        var yVal = hasVal ? tensor(val!.Y.Select(v => (long)v).ToArray()).to(device) : null;
        var weights = options.ClassWeights ? tensor(ClassWeights(train.Y, classes)).to(device) : null;

        using var optimizer = optim.AdamW(head.parameters(), options.LearningRate, weight_decay: options.WeightDecay);
        var shuffle = new Random(options.Seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        var history = new List<EpochMetrics>();
        double best = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        IReadOnlyList<DenseLayer> bestLayers = TorchHead.ExtractLayers(head);
        var clock = Stopwatch.StartNew();

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            shuffle.Shuffle(order);
            head.train();
            double lossSum = 0; long correct = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                using var step = NewDisposeScope();
                var idx = tensor(order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray().Select(i => (long)i).ToArray()).to(device);
                var xb = xTrain.index_select(0, idx);
                var yb = yTrain.index_select(0, idx);
                optimizer.zero_grad();
                var logits = head.call(xb);
                var loss = nn.functional.cross_entropy(logits, yb, weights, label_smoothing: options.LabelSmoothing);
                loss.backward();
                optimizer.step();
                lossSum += loss.item<float>() * yb.shape[0];
                correct += logits.argmax(1).eq(yb).sum().item<long>();
            }
            double trainLoss = lossSum / train.Count, trainAcc = (double)correct / train.Count;

            double valLoss = double.NaN, valAcc = double.NaN;
            if (hasVal) (valLoss, valAcc) = Evaluate(head, xVal!, yVal!);
            // Without validation there is nothing honest to select on: every epoch counts and the last one is kept.
            double monitored = hasVal ? valLoss : -epoch;
            bool improved = monitored < best - 1e-6;
            if (improved) { best = monitored; bestEpoch = epoch; sinceBest = 0; bestLayers = TorchHead.ExtractLayers(head); }
            else sinceBest++;

            var m = new EpochMetrics(epoch, trainLoss, trainAcc, valLoss, valAcc, improved, clock.Elapsed);
            history.Add(m);
            observer?.OnEpochEnd(m);
            if (hasVal && options.Patience > 0 && sinceBest >= options.Patience) break;
        }
        return new HeadFit(new HeadWeights(labels.ToArray(), mean, std, bestLayers), history, bestEpoch);
    }

    /// <summary>
    /// The final head on all labelled data: <paramref name="train"/> and <paramref name="val"/> together, from scratch,
    /// same seed and options, for exactly <paramref name="epochs"/> epochs (the number validation chose).
    /// </summary>
    public static HeadFit Refit(EmbeddingData train, EmbeddingData val, IReadOnlyList<string> labels, TrainOptions options, int epochs,
        ITrainingObserver? observer = null, CancellationToken ct = default)
    {
        var all = new EmbeddingData([.. train.X, .. val.X], [.. train.Y, .. val.Y]);
        return Fit(all, null, labels, options with { Epochs = Math.Max(1, epochs) }, observer, ct);
    }

    /// <summary>Plain (unsmoothed, unweighted) cross-entropy and accuracy: the honest numbers early stopping watches.</summary>
    private static (double Loss, double Accuracy) Evaluate(HeadModule head, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        head.eval();
        var logits = head.call(x);
        double loss = nn.functional.cross_entropy(logits, y).item<float>();
        double acc = logits.argmax(1).eq(y).sum().item<long>() / (double)y.shape[0];
        return (loss, acc);
    }

    /// <summary>Per-feature mean and std over the training rows; constant features get std 1 so they stay finite.</summary>
    internal static (float[] Mean, float[] Std) MeanStd(float[][] rows, int dim)
    {
        var sum = new double[dim]; var sq = new double[dim];
        foreach (var r in rows)
            for (int i = 0; i < dim; i++) { sum[i] += r[i]; sq[i] += (double)r[i] * r[i]; }
        var mean = new float[dim]; var std = new float[dim];
        for (int i = 0; i < dim; i++)
        {
            double m = sum[i] / rows.Length;
            double v = Math.Max(sq[i] / rows.Length - m * m, 0);
            mean[i] = (float)m;
            std[i] = v > 1e-12 ? (float)Math.Sqrt(v) : 1f;
        }
        return (mean, std);
    }

    /// <summary>Inverse-frequency weights <c>n / (k * n_c)</c>; absent classes get 0 (they never occur as targets).</summary>
    internal static float[] ClassWeights(int[] y, int classes)
    {
        var counts = new int[classes];
        foreach (var c in y) counts[c]++;
        int present = counts.Count(c => c > 0);
        return counts.Select(c => c == 0 ? 0f : (float)(y.Length / (double)(present * c))).ToArray();
    }
}

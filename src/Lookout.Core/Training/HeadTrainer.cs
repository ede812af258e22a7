using System.Diagnostics;
using Lookout.Core.Models.Heads;

namespace Lookout.Core.Training;

/// <summary>Labelled embeddings for one split: row i has class index <c>Y[i]</c>.</summary>
public sealed record EmbeddingData(float[][] X, int[] Y)
{
    public int Count => Y.Length;
}

public sealed record HeadFit(HeadWeights Head, IReadOnlyList<EpochMetrics> Epochs, int BestEpoch);

/// <summary>
/// Trains a softmax head on embeddings (plain C#, <see cref="DenseHeadNetwork"/>): standardised inputs, AdamW, label smoothing,
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
        var (mean, std) = MeanStd(train.X, dim);
        bool hasVal = val is { Count: > 0 };
        var xTrain = Standardise(train.X, mean, std);
        var xVal = hasVal ? Standardise(val!.X, mean, std) : null;
        var weights = options.ClassWeights ? ClassWeights(train.Y, classes) : null;

        var head = new DenseHeadNetwork(dim, options.Hidden, classes, options.Dropout, options.Seed);
        var shuffle = new Random(options.Seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        var history = new List<EpochMetrics>();
        double best = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        IReadOnlyList<DenseLayer> bestLayers = head.Export();
        var clock = Stopwatch.StartNew();

        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            shuffle.Shuffle(order);
            double lossSum = 0; long correct = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                var batch = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start));
                var (loss, right) = head.Step(xTrain, train.Y, batch, weights, options.LabelSmoothing, options.LearningRate, options.WeightDecay);
                lossSum += loss * batch.Length;
                correct += right;
            }
            double trainLoss = lossSum / train.Count, trainAcc = (double)correct / train.Count;

            double valLoss = double.NaN, valAcc = double.NaN;
            if (hasVal) (valLoss, valAcc) = Evaluate(head, xVal!, val!.Y);
            // Without validation there is nothing honest to select on: every epoch counts and the last one is kept.
            double monitored = hasVal ? valLoss : -epoch;
            bool improved = monitored < best - 1e-6;
            if (improved) { best = monitored; bestEpoch = epoch; sinceBest = 0; bestLayers = head.Export(); }
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
    private static (double Loss, double Accuracy) Evaluate(DenseHeadNetwork head, float[][] x, int[] y)
    {
        var logits = head.Logits(x, Enumerable.Range(0, x.Length).ToArray());
        double loss = 0; int correct = 0;
        for (int i = 0; i < x.Length; i++)
        {
            var p = HeadForward.Softmax(logits[i]);
            loss -= Math.Log(Math.Max(p[y[i]], 1e-30));
            if (HeadForward.ArgMax(logits[i]) == y[i]) correct++;
        }
        return (loss / x.Length, (double)correct / x.Length);
    }

    private static float[][] Standardise(float[][] rows, float[] mean, float[] std) =>
        [.. rows.Select(r => { var s = new float[r.Length]; for (int i = 0; i < s.Length; i++) s[i] = (r[i] - mean[i]) / std[i]; return s; })];

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

using System.Diagnostics;
using Lookout.Core.Models.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Lookout.Core.Imaging.Augmentation;

namespace Lookout.Core.Training.FineTuning;

/// <summary>Events of a fine-tuning run; all optional. Stopping is the CancellationToken's job.</summary>
public interface IFineTuneObserver
{
    void OnBatch(int epoch, long step, double loss) { }
    void OnEpochEnd(FineTuneEpoch epoch) { }
}

/// <summary>The fine-tuned backbone (same graph, new weights), its head, and how the run went.</summary>
public sealed record FineTuneResult(OnnxModel Backbone, LinearHead Head, IReadOnlyList<FineTuneEpoch> History, int BestEpoch, bool StoppedEarly);

/// <summary>
/// Fine-tunes the last blocks of an ONNX backbone plus a linear head: AdamW with separate backbone/head learning
/// rates, warm-up + cosine schedule per step, label smoothing, early stopping on validation loss (best weights are
/// restored at the end), and a checkpoint after every epoch from which <see cref="Resume"/> continues bit-exactly:
/// data order and augmentation are functions of (seed, epoch, item), never of how far a process got.
/// </summary>
public sealed class FineTuneTrainer(OnnxModel backbone, FineTuneOptions options, IAugmentation? augmentation = null,
    LinearHead? initialHead = null, IFineTuneObserver? observer = null)
{
    private readonly IFineTuneObserver _observer = observer ?? new NullObserver();

    public FineTuneResult Train(IFineTuneData train, IFineTuneData validation, int classes, string checkpointDir, CancellationToken ct = default)
    {
        options.Validate();
        CheckData(train, validation, classes);
        torch.manual_seed(options.Seed);
        using var net = CreateNetwork(classes);
        using var opt = CreateOptimizer(net);
        var state = new RunState(0, 0, double.PositiveInfinity, -1, 0, []);
        return Loop(net, opt, state, new Dictionary<string, float[]>(), train, validation, checkpointDir, ct);
    }

    /// <summary>Continues the run whose checkpoint is in <paramref name="checkpointDir"/> (same options, data and backbone).</summary>
    public FineTuneResult Resume(IFineTuneData train, IFineTuneData validation, int classes, string checkpointDir, CancellationToken ct = default)
    {
        options.Validate();
        CheckData(train, validation, classes);
        var ckpt = FineTuneCheckpoint.Load(checkpointDir);
        if (ckpt.OptionsJson != options.ToJson())
            throw new LookoutException("The checkpoint was written with different fine-tuning options; resume with the same options.");
        torch.manual_seed(options.Seed);
        using var net = CreateNetwork(classes);
        using var opt = CreateOptimizer(net);
        using (torch.no_grad())
        {
            foreach (var (name, p) in net.AllParameters)
            {
                if (!ckpt.Tensors.TryGetValue("param/" + name, out var data) || data.Length != p.numel())
                    throw new LookoutException($"The checkpoint does not match this backbone/head: no '{name}' of {p.numel()} values.");
                using var src = torch.tensor(data).reshape(p.shape);
                p.copy_(src);
            }
        }
        opt.Restore(ckpt.OptimizerSteps, ckpt.Tensors.Where(kv => kv.Key.StartsWith("adam/", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["adam/".Length..], kv => kv.Value));
        using (var rng = torch.tensor(ckpt.TorchRngState, dtype: ScalarType.Byte)) torch.Generator.Default.set_state(rng);
        var best = ckpt.Tensors.Where(kv => kv.Key.StartsWith("best/", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["best/".Length..], kv => kv.Value);
        var state = new RunState(ckpt.EpochsDone, ckpt.Step, ckpt.BestValLoss, ckpt.BestEpoch, ckpt.EpochsWithoutImprovement, ckpt.History.ToList())
            { Finished = ckpt.Finished };
        return Loop(net, opt, state, best, train, validation, checkpointDir, ct);
    }

    private sealed record RunState(int EpochsDone, long Step, double BestValLoss, int BestEpoch, int EpochsWithoutImprovement, List<FineTuneEpoch> History)
    {
        public bool Finished { get; init; }
    }

    private FineTuneResult Loop(FineTuneNetwork net, AdamW opt, RunState state, Dictionary<string, float[]> best,
        IFineTuneData train, IFineTuneData validation, string checkpointDir, CancellationToken ct)
    {
        int stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        long totalSteps = (long)stepsPerEpoch * options.Epochs;
        long warmup = (long)Math.Round(options.WarmupFraction * totalSteps);
        bool hasVal = validation.Count > 0;
        bool stoppedEarly = state.Finished && state.EpochsDone < options.Epochs;
        for (int epoch = state.EpochsDone; epoch < options.Epochs && !state.Finished; epoch++)
        {
            var sw = Stopwatch.StartNew();
            var order = SeedMixer.EpochOrder(options.Seed, epoch, train.Count);
            double lossSum = 0; long step = state.Step;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                ct.ThrowIfCancellationRequested();
                double factor = CosineSchedule.Factor(step, warmup, totalSteps);
                foreach (var g in opt.Groups) g.LearningRate = g.BaseLearningRate * factor;
                using var scope = torch.NewDisposeScope();
                var idx = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray();
                var (x, y) = FineTuneBatches.Build(train, idx, net.InputHeight, net.InputWidth, augmentation, options.Seed, epoch);
                var logits = net.Logits(x);
                var loss = F.cross_entropy(logits, y, label_smoothing: options.LabelSmoothing);
                opt.ZeroGrad();
                loss.backward();
                opt.Step();
                double l = loss.item<float>();
                lossSum += l * idx.Length;
                _observer.OnBatch(epoch, step, l);
                step++;
            }
            var (valLoss, valAcc) = hasVal ? FineTuneBatches.Evaluate(net, validation, options.BatchSize) : (double.NaN, double.NaN);
            bool improved = hasVal && valLoss < state.BestValLoss;
            if (improved) best = Snapshot(net);
            var record = new FineTuneEpoch(epoch, step, lossSum / train.Count, valLoss, valAcc,
                opt.Groups[0].LearningRate, opt.Groups[^1].LearningRate, improved, sw.Elapsed.TotalSeconds);
            var history = state.History.Append(record).ToList();
            int bad = improved ? 0 : state.EpochsWithoutImprovement + 1;
            bool stop = hasVal && options.Patience > 0 && bad >= options.Patience;
            state = new RunState(epoch + 1, step, improved ? valLoss : state.BestValLoss, improved ? epoch : state.BestEpoch, bad, history)
                { Finished = stop || epoch + 1 == options.Epochs };
            stoppedEarly = stop && epoch + 1 < options.Epochs;
            WriteCheckpoint(net, opt, state, best, checkpointDir);
            _observer.OnEpochEnd(record);
        }
        if (hasVal && best.Count > 0) Restore(net, best);
        return new FineTuneResult(net.Backbone.ExportWeights(), net.ExportHead(), state.History, state.BestEpoch, stoppedEarly);
    }

    private FineTuneNetwork CreateNetwork(int classes)
    {
        var net = new FineTuneNetwork(backbone, options.TrainableBlocks, options.EmbeddingOutput, classes, initialHead, options.Seed);
        if (options.BFloat16) net.Backbone.ComputeType = ScalarType.BFloat16;
        return net;
    }

    private AdamW CreateOptimizer(FineTuneNetwork net) => new(
        [new ParameterGroup("backbone", options.BackboneLearningRate, net.BackboneParameters),
         new ParameterGroup("head", options.HeadLearningRate, net.HeadParameters)],
        options.WeightDecay);

    private void WriteCheckpoint(FineTuneNetwork net, AdamW opt, RunState state, Dictionary<string, float[]> best, string dir)
    {
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, value) in Snapshot(net)) tensors["param/" + name] = value;
        foreach (var (name, value) in best) tensors["best/" + name] = value;
        foreach (var (name, value) in opt.State()) tensors["adam/" + name] = Values(value);
        using var rng = torch.Generator.Default.get_state();
        new FineTuneCheckpoint(options.ToJson(), state.EpochsDone, state.Step, opt.StepCount, state.BestValLoss, state.BestEpoch,
            state.EpochsWithoutImprovement, state.Finished, rng.data<byte>().ToArray(), state.History, tensors).Save(dir);
    }

    private static Dictionary<string, float[]> Snapshot(FineTuneNetwork net) =>
        net.AllParameters.ToDictionary(p => p.Name, p => Values(p.Param), StringComparer.Ordinal);

    private static void Restore(FineTuneNetwork net, Dictionary<string, float[]> values)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in net.AllParameters)
        {
            using var src = torch.tensor(values[name]).reshape(p.shape);
            p.copy_(src);
        }
    }

    private static float[] Values(Tensor t)
    {
        using var c = t.detach().contiguous();
        return c.data<float>().ToArray();
    }

    private static void CheckData(IFineTuneData train, IFineTuneData validation, int classes)
    {
        if (classes < 2) throw new LookoutException($"Fine-tuning needs at least 2 classes (got {classes}).");
        if (train.Count == 0) throw new LookoutException("The training set is empty.");
        foreach (var (set, name) in new[] { (train, "training"), (validation, "validation") })
            for (int i = 0; i < set.Count; i++)
                if (set.Label(i) < 0 || set.Label(i) >= classes)
                    throw new LookoutException($"Item {i} of the {name} set has label {set.Label(i)}, outside 0..{classes - 1}.");
    }

    private sealed class NullObserver : IFineTuneObserver;
}

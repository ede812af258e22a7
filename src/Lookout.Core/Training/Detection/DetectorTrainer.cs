using System.Diagnostics;
using System.Text.Json;
using Lookout.Core.IO;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.OnnxTorch;
using Lookout.Core.Training.FineTuning;
using TorchSharp;
using static TorchSharp.torch;

namespace Lookout.Core.Training.Detection;

/// <summary>The fine-tuned detector graph (best epoch by validation loss) and how the run went.</summary>
public sealed record DetectorTrainResult(OnnxModel Model, IReadOnlyList<FineTuneEpoch> History, int BestEpoch);

/// <summary>
/// Fine-tunes a class-sized NanoDet graph (<see cref="NanoDetGraph"/>) on boxed images through the ONNX→torch
/// executor: the last conv layers learn (the backbone stays frozen, so its forward needs no gradient), AdamW with a
/// short warm-up and cosine decay, GFL loss with ATSS assignment. Deterministic for a seed: the epoch order and each
/// item's augmentation come from (seed, epoch, item). A checkpoint after every epoch holds the weights, the best
/// weights and the optimizer state, so <see cref="Train"/> with an existing checkpoint continues exactly where it stopped.
/// </summary>
public sealed class DetectorTrainer(DetectorTrainOptions options, IFineTuneObserver? observer = null)
{
    public DetectorTrainResult Train(OnnxModel model, IReadOnlyList<BoxSample> train, IReadOnlyList<BoxSample> val, string checkpointDir, CancellationToken ct = default)
    {
        options.Validate();
        if (train.Count == 0) throw new LookoutException("no training images with boxes");
        Directory.CreateDirectory(checkpointDir);
        int classes = NanoDetGraph.ClassCount(model), size = NanoDetGraph.InputSize(model);
        var levels = NanoDetGraph.Levels(model);
        var grid = new AnchorGrid(size);
        var augmenter = new BoxAugmenter(size, options.Mosaic);
        var valPlain = val.Select(augmenter.Plain).ToList();
        var trainable = TrainableSelection.LastConvBlocks(model.Graph, options.TrainableConvs);
        using var trunk = new FrozenTrunk(model, trainable);
        using var module = new OnnxTorchModule(trunk.Tail, trainable, levels[0].RawOutput);
        var net = new Network(trunk, module, levels, classes);
        var parameters = module.TrainableInitializers.Select(n => ("head/" + n, module.TrainableParameters[n])).ToList();
        using var optimizer = new AdamW([new ParameterGroup("head", options.LearningRate, parameters)], options.WeightDecay);
        long stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        int epochs = options.EpochsFor(train.Count);
        long totalSteps = stepsPerEpoch * epochs, warmup = Math.Min(stepsPerEpoch, totalSteps / 10);

        var history = new List<FineTuneEpoch>();
        int startEpoch = 0, bestEpoch = -1;
        double bestVal = double.PositiveInfinity;
        long step = 0;
        Dictionary<string, float[]> best = Snapshot(parameters);
        var optionsJson = JsonSerializer.Serialize(options, LookoutJson.Options);
        if (File.Exists(FineTuneCheckpoint.PathIn(checkpointDir)))
        {
            var ck = FineTuneCheckpoint.Load(checkpointDir);
            if (ck.OptionsJson != optionsJson) throw new LookoutException("the checkpoint was made with other training options; start a new run instead of resuming");
            Load(parameters, ck.Tensors, "param/");
            best = parameters.ToDictionary(p => p.Item1, p => ck.Tensors["best/" + p.Item1]);
            optimizer.Restore(ck.OptimizerSteps, ck.Tensors.Where(kv => kv.Key.StartsWith("opt/", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[4..], kv => kv.Value));
            (startEpoch, step, bestVal, bestEpoch) = (ck.EpochsDone, ck.Step, ck.BestValLoss, ck.BestEpoch);
            history.AddRange(ck.History);
        }

        for (int epoch = startEpoch; epoch < epochs; epoch++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var order = SeedMixer.EpochOrder(options.Seed, epoch, train.Count);
            double lossSum = 0;
            int batches = 0;
            for (int start = 0; start < order.Length; start += options.BatchSize)
            {
                ct.ThrowIfCancellationRequested();
                var chosen = order.Skip(start).Take(options.BatchSize).ToArray();
                var prepared = chosen.Select(i =>
                {
                    var rng = new Random(SeedMixer.Mix(options.Seed, epoch, i));
                    return options.Augment ? augmenter.Augment(train[i], train, rng) : augmenter.Plain(train[i]);
                }).ToList();
                double lr = options.LearningRate * CosineSchedule.Factor(step, warmup, totalSteps);
                optimizer.Groups[0].LearningRate = lr;
                using (var scope = torch.NewDisposeScope())
                {
                    var (cls, reg) = net.Forward(prepared.Select(p => p.Image).ToList());
                    var loss = DetectionLoss.Compute(cls, reg, grid, prepared.Select(p => (IReadOnlyList<TrainBox>)p.Boxes).ToList());
                    optimizer.ZeroGrad();
                    loss.Total.backward();
                    optimizer.Step();
                    double value = loss.Total.item<float>();
                    lossSum += value;
                    batches++;
                    observer?.OnBatch(epoch, step, value);
                }
                step++;
            }
            double valLoss = valPlain.Count > 0 ? Evaluate(net, grid, valPlain) : lossSum / batches;
            bool improved = valLoss < bestVal;
            if (improved) { bestVal = valLoss; bestEpoch = epoch; best = Snapshot(parameters); }
            var record = new FineTuneEpoch(epoch, step, lossSum / batches, valPlain.Count > 0 ? valLoss : double.NaN, double.NaN,
                0, optimizer.Groups[0].LearningRate, improved, clock.Elapsed.TotalSeconds);
            history.Add(record);
            var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var (k, v) in Snapshot(parameters)) tensors["param/" + k] = v;
            foreach (var (k, v) in best) tensors["best/" + k] = v;
            foreach (var (k, v) in optimizer.State()) tensors["opt/" + k] = ToArray(v);
            new FineTuneCheckpoint(optionsJson, epoch + 1, step, optimizer.StepCount, bestVal, bestEpoch, 0, epoch + 1 == epochs, [], history, tensors)
                .Save(checkpointDir);
            observer?.OnEpochEnd(record);
        }
        Load(parameters, best, "");
        return new DetectorTrainResult(FrozenTrunk.Merge(model, module.ExportWeights()), history, Math.Max(bestEpoch, 0));
    }

    /// <summary>Mean loss over un-augmented images, without gradients.</summary>
    private double Evaluate(Network net, AnchorGrid grid, IReadOnlyList<(Imaging.RgbImage Image, List<TrainBox> Boxes)> items)
    {
        double sum = 0;
        int n = 0;
        using var noGrad = torch.no_grad();
        for (int start = 0; start < items.Count; start += options.BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            var chunk = items.Skip(start).Take(options.BatchSize).ToList();
            var (cls, reg) = net.Forward(chunk.Select(c => c.Image).ToList());
            var loss = DetectionLoss.Compute(cls, reg, grid, chunk.Select(c => (IReadOnlyList<TrainBox>)c.Boxes).ToList());
            sum += loss.Total.item<float>() * chunk.Count;
            n += chunk.Count;
        }
        return sum / n;
    }

    /// <summary>The frozen trunk (ONNX Runtime) feeding the trainable tail (torch).</summary>
    private sealed class Network(FrozenTrunk trunk, OnnxTorchModule tail, IReadOnlyList<NanoDetLevel> levels, int classes)
    {
        /// <summary>Class logits [B, A, C] and side logits [B, A, 4, 11] for square uint8 images, levels in stride order.</summary>
        public (Tensor Cls, Tensor Reg) Forward(IReadOnlyList<Imaging.RgbImage> images)
        {
            int size = images[0].Width;
            var bytes = new byte[images.Count * size * size * 3];
            for (int i = 0; i < images.Count; i++) Buffer.BlockCopy(images[i].Pixels, 0, bytes, i * size * size * 3, size * size * 3);
            var features = trunk.Run(bytes, images.Count, size).ToDictionary(kv => kv.Key, kv => torch.tensor(kv.Value.Data).reshape(kv.Value.Shape), StringComparer.Ordinal);
            var raw = tail.Run(features, levels.Select(l => l.RawOutput).ToList());
            var cls = new List<Tensor>(); var reg = new List<Tensor>();
            foreach (var level in levels)
            {
                var r = raw[level.RawOutput];
                long b = r.shape[0], hw = r.shape[2] * r.shape[3];
                cls.Add(r[.., ..classes].reshape(b, classes, hw).permute(0, 2, 1));
                reg.Add(r[.., classes..].reshape(b, NanoDetGraph.RegChannels, hw).permute(0, 2, 1).reshape(b, hw, 4, DetectionLoss.Bins));
            }
            return (torch.cat(cls, 1), torch.cat(reg, 1));
        }
    }

    private static Dictionary<string, float[]> Snapshot(IEnumerable<(string Name, TorchSharp.Modules.Parameter P)> ps) =>
        ps.ToDictionary(p => p.Name, p => ToArray(p.P), StringComparer.Ordinal);

    private static float[] ToArray(Tensor t)
    {
        using var c = t.detach().contiguous();
        return c.data<float>().ToArray();
    }

    private static void Load(IEnumerable<(string Name, TorchSharp.Modules.Parameter P)> ps, IReadOnlyDictionary<string, float[]> values, string prefix)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in ps)
        {
            if (!values.TryGetValue(prefix + name, out var data) || data.Length != p.numel())
                throw new LookoutException($"the checkpoint has no matching weights for '{name}'");
            using var src = torch.tensor(data).reshape(p.shape);
            p.copy_(src);
        }
    }
}

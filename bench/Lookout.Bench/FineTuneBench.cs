using System.Diagnostics;
using System.IO.Compression;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Training.FineTuning;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Lookout.Core.Models.OnnxTorch;

namespace Lookout.Bench;

/// <summary>
/// Fine-tuning cost on a converted backbone: one training step (forward, backward through the last N blocks,
/// AdamW) at batch B and 224 px, float32 against hand-made bf16, interleaved, median of N; plus the bf16
/// embedding error. With --fmnist K, also fine-tunes on K Fashion-MNIST images per class in both precisions and
/// compares validation accuracy (the "accuracy equal" half of the bf16 decision).
/// Usage: fine-tune [--model centernet-backbone] [--batch 16] [--blocks 2] [--steps 5] [--fmnist 0] [--epochs 3]
/// </summary>
public static class FineTuneBench
{
    public static void Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var modelName = Arg("--model", "centernet-backbone");
        int batch = int.Parse(Arg("--batch", "16")), blocks = int.Parse(Arg("--blocks", "2")), steps = int.Parse(Arg("--steps", "5"));
        int perClass = int.Parse(Arg("--fmnist", "0")), epochs = int.Parse(Arg("--epochs", "3"));
        Console.WriteLine($"torch threads {torch.get_num_threads()}, load avg {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        var model = new ModelCatalog(LookoutCache.Root()).Build(modelName);
        if (args.Contains("--inputs")) { InputDependence(model, batch); return; }
        if (args.Contains("--modes")) { ForwardModes(model, batch); return; }
        StepTimes(model, batch, blocks, steps);
        if (perClass > 0 && args.Contains("--probe")) ProbeThenFineTune(model, blocks, perClass, epochs, args);
        else if (perClass > 0) FashionAccuracy(model, blocks, perClass, epochs, args);
    }

    private static void StepTimes(OnnxModel model, int batch, int blocks, int steps)
    {
        torch.manual_seed(1);
        using var net = new FineTuneNetwork(model, blocks, "embedding", 10, null);
        var pixels = new byte[batch * net.InputHeight * net.InputWidth * 3];
        new Random(1).NextBytes(pixels);
        using var x = torch.tensor(pixels, dtype: ScalarType.Byte).reshape(batch, net.InputHeight, net.InputWidth, 3);
        using var y = torch.tensor(Enumerable.Range(0, batch).Select(i => (long)(i % 10)).ToArray());
        using var opt = new AdamW([new ParameterGroup("b", 1e-4, net.BackboneParameters), new ParameterGroup("h", 1e-3, net.HeadParameters)], 1e-4);
        var times = new Dictionary<ScalarType, List<double>> { [ScalarType.Float32] = [], [ScalarType.BFloat16] = [] };
        // CPU time too: on a shared, loaded machine wall-clock mostly measures the neighbours.
        var cpu = new Dictionary<ScalarType, List<double>> { [ScalarType.Float32] = [], [ScalarType.BFloat16] = [] };
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < steps + 1; i++)
        {
            foreach (var type in times.Keys)
            {
                net.Backbone.ComputeType = type;
                process.Refresh();
                var cpu0 = process.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                using (var scope = torch.NewDisposeScope())
                {
                    var loss = F.cross_entropy(net.Logits(x), y);
                    opt.ZeroGrad();
                    loss.backward();
                    opt.Step();
                }
                process.Refresh();
                if (i > 0) // the first round warms up
                {
                    times[type].Add(sw.Elapsed.TotalMilliseconds);
                    cpu[type].Add((process.TotalProcessorTime - cpu0).TotalMilliseconds);
                }
            }
        }
        float[] Embed(ScalarType type)
        {
            net.Backbone.ComputeType = type;
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            return net.Backbone.forward(x).data<float>().ToArray();
        }
        var a = Embed(ScalarType.Float32); var b = Embed(ScalarType.BFloat16);
        double err = a.Zip(b, (p, q) => Math.Abs(p - q)).Max() / a.Max(Math.Abs);
        process.Refresh();
        Console.WriteLine($"process user {process.UserProcessorTime.TotalSeconds:F1} s, system {process.PrivilegedProcessorTime.TotalSeconds:F1} s");
        foreach (var (type, list) in times) Console.WriteLine($"{type} steps (ms): {string.Join(" ", list.Select(v => v.ToString("F0")))}");
        double f32 = Median(times[ScalarType.Float32]), bf = Median(times[ScalarType.BFloat16]);
        Console.WriteLine($"{net.Backbone.TrainableInitializers.Count} trainable tensors ({blocks} blocks), batch {batch} @ {net.InputWidth}px");
        double c32 = Median(cpu[ScalarType.Float32]), cbf = Median(cpu[ScalarType.BFloat16]);
        Console.WriteLine($"train step median CPU time: fp32 {c32:F0} ms, bf16 {cbf:F0} ms, fp32/bf16 = {c32 / cbf:F2}");
        Console.WriteLine($"train step median wall: fp32 {f32:F0} ms, bf16 {bf:F0} ms, fp32/bf16 = {f32 / bf:F2}; " +
                          $"per image fp32 {f32 / batch:F1} ms; bf16 embedding max rel error {err:E2}");
    }

    /// <summary>Forward time by how much of the graph records autograd (no_grad, frozen, last k blocks trainable).</summary>
    private static void ForwardModes(OnnxModel model, int batch)
    {
        var px = Enumerable.Range(0, batch * 224 * 224 * 3).Select(i => (byte)(i * 7919 % 251)).ToArray();
        foreach (var (name, blocks, noGrad) in new[] { ("no_grad", 0, true), ("frozen", 0, false), ("2 blocks", 2, false), ("9 blocks", 9, false), ("all", 1000, false) })
        {
            using var module = new OnnxTorchModule(model, TrainableSelection.LastConvBlocks(model.Graph, blocks), "embedding");
            var ms = new List<double>();
            for (int i = 0; i < 4; i++)
            {
                using var scope = torch.NewDisposeScope();
                using var grad = noGrad ? torch.no_grad() : torch.enable_grad();
                var x = torch.tensor(px, dtype: ScalarType.Byte).reshape(batch, 224, 224, 3);
                var sw = Stopwatch.StartNew();
                var y = module.forward(x);
                double fwd = sw.Elapsed.TotalMilliseconds;
                if (y.requires_grad) y.sum().backward();
                if (i > 0) ms.Add(fwd);
                if (i == 3) Console.WriteLine($"{name}: forward median {Median(ms):F0} ms, last fwd+bwd {sw.Elapsed.TotalMilliseconds:F0} ms");
            }
        }
    }

    /// <summary>Forward time by input content: float32 slows down by orders of magnitude on subnormal values.</summary>
    private static void InputDependence(OnnxModel model, int batch)
    {
        using var module = new OnnxTorchModule(model, null, "embedding");
        var (fashion, _) = Fashion("t10k", (batch + 9) / 10, 0);
        var inputs = new Dictionary<string, byte[]>
        {
            ["random"] = Enumerable.Range(0, batch * 224 * 224 * 3).Select(i => (byte)(i * 7919 % 251)).ToArray(),
            ["black"] = new byte[batch * 224 * 224 * 3],
            ["fashion"] = fashion.Take(batch).SelectMany(i => i.Pixels).ToArray(),
        };
        foreach (var type in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            module.ComputeType = type;
            foreach (var (name, px) in inputs)
            {
                var ms = new List<double>();
                for (int i = 0; i < 3; i++)
                {
                    using var scope = torch.NewDisposeScope();
                    using var noGrad = torch.no_grad();
                    var x = torch.tensor(px, dtype: ScalarType.Byte).reshape(batch, 224, 224, 3);
                    var sw = Stopwatch.StartNew();
                    module.forward(x);
                    ms.Add(sw.Elapsed.TotalMilliseconds);
                }
                Console.WriteLine($"{type} {name}: forward batch {batch} median {Median(ms):F0} ms");
            }
        }
    }

    private static void FashionAccuracy(OnnxModel model, int blocks, int perClass, int epochs, string[] args)
    {
        var (trainImgs, trainLabels) = Fashion("train", perClass, 0);
        var (valImgs, valLabels) = Fashion("t10k", Math.Max(20, perClass), 0);
        var train = new InMemoryFineTuneData(trainImgs, trainLabels);
        var val = new InMemoryFineTuneData(valImgs, valLabels);
        foreach (var bf16 in args.Contains("--bf16-first") ? new[] { true, false } : new[] { false, true })
        {
            string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
            var options = new FineTuneOptions
            {
                Epochs = epochs, BatchSize = 16, TrainableBlocks = blocks, Patience = 0, Seed = 1, BFloat16 = bf16,
                HeadLearningRate = double.Parse(Arg("--head-lr", "1e-3"), System.Globalization.CultureInfo.InvariantCulture),
                BackboneLearningRate = double.Parse(Arg("--backbone-lr", "1e-4"), System.Globalization.CultureInfo.InvariantCulture),
            };
            if (args.Contains("--fp32-only") && bf16) continue;
            var dir = Directory.CreateTempSubdirectory("lookout-ftbench").FullName;
            var sw = Stopwatch.StartNew();
            var result = new FineTuneTrainer(model, options).Train(train, val, 10, dir);
            Directory.Delete(dir, true);
            Console.WriteLine($"Fashion-MNIST {perClass}/class, {epochs} epochs, {(bf16 ? "bf16" : "fp32")}: val accuracy per epoch " +
                              string.Join(" ", result.History.Select(h => h.ValAccuracy.ToString("F3"))) +
                              $" ({valImgs.Count} val images), {sw.Elapsed.TotalSeconds:F0} s");
        }
    }

    /// <summary>
    /// Frozen linear probe (HeadTrainer on embeddings) against fine-tuning started from that probe's head, both scored
    /// on a held-out Fashion-MNIST test set (t10k items not used for validation).
    /// </summary>
    private static void ProbeThenFineTune(OnnxModel model, int blocks, int perClass, int epochs, string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var (trainImgs, trainLabels) = Fashion("train", perClass, 0);
        var (valImgs, valLabels) = Fashion("t10k", 20, 0);
        var (testImgs, testLabels) = Fashion("t10k", 50, 20);
        var labels = Enumerable.Range(0, 10).Select(i => i.ToString()).ToList();
        var sw = Stopwatch.StartNew();
        using var frozen = new OnnxTorchModule(model, null, "embedding");
        var probe = Lookout.Core.Training.HeadTrainer.Fit(
            new Lookout.Core.Training.EmbeddingData(Embed(frozen, trainImgs), trainLabels.ToArray()),
            new Lookout.Core.Training.EmbeddingData(Embed(frozen, valImgs), valLabels.ToArray()),
            labels, new Lookout.Core.Training.TrainOptions { EvaluateTest = false }).Head;
        var start = probe.ToLinearHead();
        double probeAcc = Accuracy(frozen, start, testImgs, testLabels);
        Console.WriteLine($"Fashion-MNIST {perClass}/class: frozen linear probe test accuracy {probeAcc:F3} ({testImgs.Count} test images), {sw.Elapsed.TotalSeconds:F0} s");
        var options = new FineTuneOptions
        {
            Epochs = epochs, BatchSize = 16, TrainableBlocks = blocks, Patience = 3, Seed = 1,
            HeadLearningRate = double.Parse(Arg("--head-lr", "1e-3"), System.Globalization.CultureInfo.InvariantCulture),
            BackboneLearningRate = double.Parse(Arg("--backbone-lr", "1e-4"), System.Globalization.CultureInfo.InvariantCulture),
        };
        var dir = Directory.CreateTempSubdirectory("lookout-ftbench").FullName;
        sw.Restart();
        var aug = Lookout.Core.Imaging.Augmentation.AugmentationPipeline.Standard(224, 224);
        var result = new FineTuneTrainer(model, options, args.Contains("--augment") ? aug : null, start)
            .Train(new InMemoryFineTuneData(trainImgs, trainLabels), new InMemoryFineTuneData(valImgs, valLabels), 10, dir);
        Directory.Delete(dir, true);
        using var tuned = new OnnxTorchModule(result.Backbone, null, "embedding");
        Console.WriteLine($"fine-tuned ({blocks} blocks, {result.History.Count} epochs, best {result.BestEpoch}, lr {options.BackboneLearningRate}/{options.HeadLearningRate}" +
                          $"{(args.Contains("--augment") ? ", augmented" : "")}): val " +
                          string.Join(" ", result.History.Select(h => h.ValAccuracy.ToString("F3"))) +
                          $"; test accuracy {Accuracy(tuned, result.Head, testImgs, testLabels):F3}, {sw.Elapsed.TotalSeconds:F0} s");
    }

    private static float[][] Embed(OnnxTorchModule module, IReadOnlyList<RgbImage> images)
    {
        var rows = new List<float[]>();
        for (int s = 0; s < images.Count; s += 32)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var batch = images.Skip(s).Take(32).ToList();
            var x = torch.tensor(batch.SelectMany(i => i.Pixels).ToArray(), dtype: ScalarType.Byte).reshape(batch.Count, 224, 224, 3);
            var e = module.forward(x);
            int d = (int)e.shape[1];
            var flat = e.data<float>().ToArray();
            for (int i = 0; i < batch.Count; i++) rows.Add(flat.AsSpan(i * d, d).ToArray());
        }
        return rows.ToArray();
    }

    private static double Accuracy(OnnxTorchModule module, LinearHead head, IReadOnlyList<RgbImage> images, IReadOnlyList<int> labels)
    {
        var emb = Embed(module, images);
        int correct = 0;
        for (int i = 0; i < emb.Length; i++)
        {
            int best = 0; double bestScore = double.NegativeInfinity;
            for (int c = 0; c < head.Classes; c++)
            {
                double z = head.Bias[c];
                for (int k = 0; k < head.Dim; k++) z += head.Weight[c * head.Dim + k] * emb[i][k];
                if (z > bestScore) { bestScore = z; best = c; }
            }
            if (best == labels[i]) correct++;
        }
        return (double)correct / emb.Length;
    }

    /// <summary>Images <paramref name="skip"/>..skip+perClass of each class, grey copied to RGB, bilinear to 224.</summary>
    private static (List<RgbImage>, List<int>) Fashion(string split, int perClass, int skip)
    {
        const string dir = "/usr/share/datasets/fashion-mnist";
        byte[] Read(string name) { using var gz = new GZipStream(File.OpenRead(Path.Combine(dir, name)), CompressionMode.Decompress); using var ms = new MemoryStream(); gz.CopyTo(ms); return ms.ToArray(); }
        var images = Read($"{split}-images-idx3-ubyte.gz"); var labels = Read($"{split}-labels-idx1-ubyte.gz");
        var outImgs = new List<RgbImage>(); var outLabels = new List<int>(); var counts = new int[10];
        for (int i = 0; i < labels.Length - 8 && outImgs.Count < perClass * 10; i++)
        {
            int label = labels[8 + i];
            if (counts[label] >= perClass + skip) continue;
            if (++counts[label] <= skip) continue;
            outImgs.Add(Upscale(images.AsSpan(16 + i * 784, 784), 28, 224));
            outLabels.Add(label);
        }
        return (outImgs, outLabels);
    }

    private static RgbImage Upscale(ReadOnlySpan<byte> gray, int n, int size)
    {
        var px = new byte[size * size * 3];
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            float sx = Math.Clamp((x + 0.5f) * n / size - 0.5f, 0, n - 1), sy = Math.Clamp((y + 0.5f) * n / size - 0.5f, 0, n - 1);
            int x0 = (int)sx, y0 = (int)sy, x1 = Math.Min(x0 + 1, n - 1), y1 = Math.Min(y0 + 1, n - 1);
            float fx = sx - x0, fy = sy - y0;
            float v = (gray[y0 * n + x0] * (1 - fx) + gray[y0 * n + x1] * fx) * (1 - fy) + (gray[y1 * n + x0] * (1 - fx) + gray[y1 * n + x1] * fx) * fy;
            byte b = (byte)Math.Clamp((int)MathF.Round(v), 0, 255);
            int i = (y * size + x) * 3;
            px[i] = b; px[i + 1] = b; px[i + 2] = b;
        }
        return new RgbImage(size, size, px);
    }

    private static double Median(List<double> v) { var s = v.Order().ToList(); return s[s.Count / 2]; }
}

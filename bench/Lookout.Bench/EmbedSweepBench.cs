using System.Diagnostics;
using System.Globalization;
using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Embeddings;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;

namespace Lookout.Bench;

/// <summary>
/// Where the embedding defaults for a cold <c>train</c> come from: the uncached embedding of small images (Fashion-MNIST
/// 28x28 PNG, where decoding is nearly free and the backbone's forward pass is the whole cost) under each runner setting,
/// in-process, interleaved rounds, medians. CPU-ms/img is the load-independent figure on a shared machine.
/// Usage: embedsweep [--images 200] [--rounds 3] [--backbone nanodet-backbone] [--data DIR]
/// </summary>
public static class EmbedSweepBench
{
    public static async Task Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int images = int.Parse(Arg("--images", "200"), CultureInfo.InvariantCulture), rounds = int.Parse(Arg("--rounds", "3"), CultureInfo.InvariantCulture);
        var backbone = BackboneResolver.Resolve(Arg("--backbone", "nanodet-backbone"));
        var root = Directory.CreateTempSubdirectory("lookout-embedsweep").FullName;
        try
        {
            var data = Arg("--data", Path.Combine(root, "fm"));
            if (!Directory.Exists(data) || Directory.GetFiles(data, "*.png", SearchOption.AllDirectories).Length < images)
                await FashionMnistDemoBuilder.BuildAsync(data, new FashionMnistDemoOptions { PerClass = Math.Max(10, images / 10), IncludeVideos = false });
            var items = Directory.GetFiles(data, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(images)
                .Select(p => new LabeledImage(p, "", "x", Split.Train, p)).ToList();
            int cores = Environment.ProcessorCount;
            var configs = new List<(string Name, OnnxRunnerOptions Options)>
            {
                ("default", OnnxRunnerOptions.Default),
                ("batch 16", OnnxRunnerOptions.Default with { BatchSize = 16 }),
                ("batch 32", OnnxRunnerOptions.Default with { BatchSize = 32 }),
                ($"intra-op 1, {cores} inference workers", OnnxRunnerOptions.Default with { IntraOpThreads = 1, InferenceWorkers = cores }),
                ($"batch 16, intra-op 1, {cores} workers", OnnxRunnerOptions.Default with { BatchSize = 16, IntraOpThreads = 1, InferenceWorkers = cores }),
                ("decode workers 1", OnnxRunnerOptions.Default with { DecodeParallelism = 1 }),
            };
            Console.WriteLine($"{items.Count} images, {backbone.Id}, median of {rounds} interleaved rounds (load {FashionMnistSet.LoadAverage()}):");
            var samples = configs.Select(_ => new List<(double Wall, double Cpu)>()).ToArray();
            for (int r = 0; r < rounds; r++)
                for (int c = 0; c < configs.Count; c++)
                {
                    using var extractor = new EmbeddingExtractor(backbone, cache: null, configs[c].Options);
                    await extractor.ExtractAsync(items.Take(8).ToList()); // session created and warmed outside the clock
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    var set = await extractor.ExtractAsync(items);
                    if (set.Errors.Count > 0) throw new InvalidOperationException(set.Errors[0].Reason);
                    samples[c].Add((clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds));
                }
            static double Median(IEnumerable<double> xs) { var s = xs.Order().ToList(); return s[s.Count / 2]; }
            double baseWall = Median(samples[0].Select(s => s.Wall)), baseCpu = Median(samples[0].Select(s => s.Cpu));
            for (int c = 0; c < configs.Count; c++)
            {
                double wall = Median(samples[c].Select(s => s.Wall)), cpu = Median(samples[c].Select(s => s.Cpu));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {configs[c].Name,-36} {items.Count / wall,6:0.0} img/s {cpu * 1000 / items.Count,5:0.0} CPU-ms/img  img/s {baseWall / wall:0.00}x, CPU/img {cpu / baseCpu:0.00}x of default"));
            }
            Console.WriteLine($"load {FashionMnistSet.LoadAverage()} at end");
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}

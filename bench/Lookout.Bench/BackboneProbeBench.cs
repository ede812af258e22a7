using System.Globalization;
using System.Security.Cryptography;
using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Evaluation;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Training;
using Lookout.Core.Pipelines.Train;

namespace Lookout.Bench;

/// <summary>
/// Chooses the default backbone by measurement: a linear probe (frozen backbone + softmax head) on Fashion-MNIST with
/// 100 training images per class (20 of them held out for early stopping), tested on the first 1,000 t10k images,
/// for every candidate backbone in the same run. Raw-pixel-like baseline: the generated backbone.
/// Usage: bench backboneprobe [--per-class 100] [--test 100]
/// </summary>
public static class BackboneProbeBench
{
    public static async Task Run(string[] args)
    {
        int perClass = IntArg(args, "--per-class", 100), testPerClass = IntArg(args, "--test", 100);
        var root = Directory.CreateTempSubdirectory("lookout-probe").FullName;
        try
        {
            await FashionMnistDemoBuilder.BuildAsync(Path.Combine(root, "train"), new FashionMnistDemoOptions { PerClass = perClass, IncludeVideos = false });
            await FashionMnistDemoBuilder.BuildAsync(Path.Combine(root, "test"), new FashionMnistDemoOptions { Set = "t10k", PerClass = testPerClass, IncludeVideos = false });
            var items = Items(Path.Combine(root, "train"), trainSplit: true).Concat(Items(Path.Combine(root, "test"), trainSplit: false)).ToList();
            Console.WriteLine($"Fashion-MNIST linear probe: {items.Count(i => i.Split != Split.Test)} train+val, {items.Count(i => i.Split == Split.Test)} test images");
            Console.WriteLine("| backbone | licence | dim | test accuracy | 95% CI | macro F1 | embed img/s |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            var candidates = ModelCatalog.Entries.Where(e => e.Task == ModelTask.Backbone).Select(e => e.Name).Append(BackboneResolver.Generated);
            foreach (var name in candidates)
            {
                var backbone = BackboneResolver.Resolve(name);
                var licence = name == BackboneResolver.Generated ? "n/a (generated)" : ModelCatalog.Get(name).Licence.Name;
                var result = await new TrainingService().RunAsync(TrainOptions.Default, items, backbone, Path.Combine(root, "runs", name));
                var t = result.Test!;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {licence} | {backbone.EmbeddingDim} | {ReportText.Pct(t.Accuracy)} | {ReportText.Ci(t.AccuracyCi)} | {t.MacroF1:0.000} | {result.EmbeddingImagesPerSecond:0} |"));
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>Training images: every fifth goes to validation (early stopping); test images are all test.</summary>
    private static IEnumerable<LabeledImage> Items(string dir, bool trainSplit) =>
        Directory.EnumerateDirectories(dir).OrderBy(d => d, StringComparer.Ordinal).SelectMany(labelDir =>
            Directory.EnumerateFiles(labelDir, "*.png").OrderBy(f => f, StringComparer.Ordinal).Select((f, i) =>
            {
                var sha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))).ToLowerInvariant();
                var split = !trainSplit ? Split.Test : i % 5 == 4 ? Split.Val : Split.Train;
                return new LabeledImage(f, sha, Path.GetFileName(labelDir), split, sha);
            }));

    private static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}

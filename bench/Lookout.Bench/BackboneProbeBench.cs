using System.Diagnostics;
using System.Globalization;
using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Evaluation;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Training;
using Lookout.Core.Models.Heads;
using Lookout.Core.Evaluation.OpenSet;
using Lookout.Core.Embeddings;
using Lookout.Core.Pipelines.Train;

namespace Lookout.Bench;

/// <summary>
/// Chooses the default backbone by measurement, every candidate in the same run, on Fashion-MNIST through the real
/// image path: (1) linear probe (frozen backbone + softmax head, 20% of the training images held out for early
/// stopping) at 20 and at 100 training images per class, tested on the first --test t10k images, with Wilson 95%
/// intervals; (2) open set: two classes held out of training at a time (bag+trouser, sandal+sneaker, shirt+coat),
/// "unknown" calibrated at a fixed known-class keep rate of 0.95, the share of held-out images still accepted (lower
/// is better); (3) model throughput at batch 32 (already-decoded images), measured at the end for all backbones in
/// interleaved rounds (median of 5) so machine load hits them alike.
/// Usage: bench backboneprobe [--test 2000] [--only a,b]
/// </summary>
public static class BackboneProbeBench
{
    private const double Keep = 0.95;
    private static readonly string[][] HeldOut = [["bag", "trouser"], ["sandal", "sneaker"], ["shirt", "coat"]];

    public static void Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int testCount = int.Parse(Arg("--test", "2000"), CultureInfo.InvariantCulture);
        var candidates = ModelCatalog.Entries.Where(e => e.Task == ModelTask.Backbone).Select(e => e.Name).Append(BackboneResolver.Generated).ToList();
        if (Arg("--only", "") is { Length: > 0 } only) candidates = [.. only.Split(',')];

        var train = FashionMnistSet.Load("train");
        var test = FashionMnistSet.Load("t10k");
        var trainIdx = train.FirstPerClass(100);
        var testIdx = Enumerable.Range(0, testCount).ToArray();
        Console.WriteLine($"Fashion-MNIST, {testCount} test images; load average {FashionMnistSet.LoadAverage()} at start");
        var rows = new List<string>();
        var runners = new List<OnnxImageRunner>();
        foreach (var name in candidates)
        {
            var backbone = BackboneResolver.Resolve(name);
            var licence = name == BackboneResolver.Generated ? "n/a (generated)" : ModelCatalog.Get(name).Licence.Name;
            var runner = new OnnxImageRunner(backbone.OnnxPath, Backbone.OutputName, backbone.Spec);
            runners.Add(runner);
            var clock = Stopwatch.StartNew();
            var trX = train.Embed(runner, trainIdx);
            var teX = test.Embed(runner, testIdx);
            var trY = train.LabelsOf(trainIdx);
            var teY = test.LabelsOf(testIdx);
            var embedSeconds = clock.Elapsed.TotalSeconds;
            var p20 = Probe(trX, trY, 20, teX, teY);
            var p100 = Probe(trX, trY, 100, teX, teY);
            var open = OpenSet(trX, trY, teX, teY);
            var row = string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {licence} | {backbone.EmbeddingDim} | {P(p20)} {ReportText.Ci(Ci(p20))} | {P(p100)} {ReportText.Ci(Ci(p100))} | " +
                $"{100 * open.FalseAccept:0.0}% ({open.Accepted}/{open.Held}) | {100 * open.KnownWithRejection:0.0}% |");
            rows.Add(row);
            Console.WriteLine(row + string.Create(CultureInfo.InvariantCulture, $"   (embedded {trX.Length + teX.Length} in {embedSeconds:0}s, load {FashionMnistSet.LoadAverage()})"));
        }
        var rates = Throughput(runners, test);
        foreach (var r in runners) r.Dispose();
        rows = [.. rows.Select((r, i) => r + string.Create(CultureInfo.InvariantCulture, $" {rates[i]:0} |"))];
        Console.WriteLine();
        Console.WriteLine($"| backbone | licence | dim | probe, 20/class | probe, 100/class | held-out classes accepted at keep {Keep:0.00} (lower is better) | known accuracy with rejection | img/s, batch 32 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in rows) Console.WriteLine(r);
        Console.WriteLine($"load average {FashionMnistSet.LoadAverage()} at end");
    }

    private static string P((int Correct, int Count) s) => ReportText.Pct((double)s.Correct / s.Count);
    private static Interval Ci((int Correct, int Count) s) => ReportBuilder.Wilson(s.Correct, s.Count);

    /// <summary>The first k of each class's 100 training images: 80% train, 20% validation for early stopping.</summary>
    private static (int Correct, int Count) Probe(float[][] trX, int[] trY, int k, float[][] teX, int[] teY)
    {
        var (tr, va) = Subset(trY, k);
        var labels = FashionMnistDemoBuilder.ClassNames.ToList();
        var fit = HeadTrainer.Fit(new EmbeddingData([.. tr.Select(i => trX[i])], [.. tr.Select(i => trY[i])]),
            new EmbeddingData([.. va.Select(i => trX[i])], [.. va.Select(i => trY[i])]), labels, TrainOptions.Default);
        int correct = teX.Select((x, i) => HeadForward.ArgMax(fit.Head.Probabilities(x)) == teY[i] ? 1 : 0).Sum();
        return (correct, teY.Length);
    }

    private static (List<int> Train, List<int> Val) Subset(int[] y, int k)
    {
        var tr = new List<int>(); var va = new List<int>();
        for (int c = 0; c < 10; c++)
        {
            var idx = Enumerable.Range(0, y.Length).Where(i => y[i] == c).Take(k).ToList();
            int nVal = Math.Max(1, k / 5);
            va.AddRange(idx.Take(nVal)); tr.AddRange(idx.Skip(nVal));
        }
        return (tr, va);
    }

    private sealed record OpenSetSummary(int Accepted, int Held, double FalseAccept, double KnownWithRejection);

    private static OpenSetSummary OpenSet(float[][] trX, int[] trY, float[][] teX, int[] teY)
    {
        var names = FashionMnistDemoBuilder.ClassNames;
        var (tr, va) = Subset(trY, 100);
        EmbeddedItem Item(float[] x, int y, Split split, string id) => new(new LabeledImage(id, id, names[y], split, id), x);
        var items = tr.Select(i => Item(trX[i], trY[i], Split.Train, $"tr{i}"))
            .Concat(va.Select(i => Item(trX[i], trY[i], Split.Val, $"va{i}")))
            .Concat(teX.Select((x, i) => Item(x, teY[i], Split.Test, $"te{i}"))).ToList();
        int accepted = 0, held = 0; double known = 0;
        foreach (var pair in HeldOut)
        {
            var r = OpenSetEvaluator.Evaluate(items, pair, TrainOptions.Default, new CalibrationOptions { TargetKeep = Keep });
            accepted += r.FalseAccepts; held += r.UnknownCount; known += r.KnownAccuracyWithRejection / HeldOut.Length;
        }
        return new OpenSetSummary(accepted, held, (double)accepted / held, known);
    }

    /// <summary>Images per second through each model alone at batch 32: one warm-up, then 5 rounds over all models, median.</summary>
    private static double[] Throughput(IReadOnlyList<OnnxImageRunner> runners, FashionMnistSet set)
    {
        var images = runners.Select(r => Enumerable.Range(0, 32).Select(i => set.Input(i, r.Spec)).ToList()).ToList();
        for (int m = 0; m < runners.Count; m++) runners[m].Run(images[m]);
        var times = runners.Select(_ => new List<double>()).ToList();
        for (int round = 0; round < 5; round++)
            for (int m = 0; m < runners.Count; m++)
            {
                var sw = Stopwatch.StartNew();
                runners[m].Run(images[m]);
                times[m].Add(sw.Elapsed.TotalSeconds);
            }
        return [.. times.Select(t => 32 / t.Order().ElementAt(2))];
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Training;
using Xunit.Abstractions;
using Lookout.Core.Embeddings;
using Lookout.Core.Evaluation.OpenSet;
using Lookout.Core.Models.Heads;

namespace Lookout.Core.Tests.Evaluation.OpenSet;

public class OpenSetEvaluatorTests(ITestOutputHelper output)
{
    /// <summary>Gaussian clusters in 24-d: 6 classes, 2 of them held out of training.</summary>
    internal static List<EmbeddedItem> Clusters(int classes = 6, int perClass = 60, int dim = 24, double noise = 0.45, int seed = 3)
    {
        var rng = new Random(seed);
        var items = new List<EmbeddedItem>();
        for (int c = 0; c < classes; c++)
        {
            var centre = Enumerable.Range(0, dim).Select(_ => Gauss(rng)).ToArray();
            for (int i = 0; i < perClass; i++)
            {
                var x = centre.Select(v => (float)(v + noise * Gauss(rng))).ToArray();
                var split = i < perClass / 2 ? Split.Train : i < perClass * 3 / 4 ? Split.Val : Split.Test;
                var path = $"c{c}/{i}.png";
                items.Add(new EmbeddedItem(new LabeledImage(path, $"sha-{c}-{i}", $"class{c}", split, path), x));
            }
        }
        return items;
    }

    private static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    [Fact]
    public void HeldOutClasses_AreMostlyRejected_KnownAccuracyDropsSlightly()
    {
        var items = Clusters();
        var result = OpenSetEvaluator.Evaluate(items, ["class4", "class5"], TrainOptions.Default with { Epochs = 40 });
        output.WriteLine($"known acc {result.KnownAccuracy:P1} -> {result.KnownAccuracyWithRejection:P1}, rejected {result.KnownRejectedRate:P1}; FAR {result.FalseAcceptRate:P1} ({result.FalseAccepts}/{result.UnknownCount})");

        Assert.Equal(["class0", "class1", "class2", "class3"], result.KnownLabels);
        Assert.Equal(120, result.UnknownCount);
        Assert.True(result.FalseAcceptRate <= 0.2, $"false-accept rate {result.FalseAcceptRate:P1}");
        Assert.True(result.KnownAccuracy >= 0.95, $"known accuracy {result.KnownAccuracy:P1}");
        Assert.True(result.KnownAccuracy - result.KnownAccuracyWithRejection <= 0.12, $"accuracy drop {result.KnownAccuracy - result.KnownAccuracyWithRejection:P1}");
        Assert.Equal(result.FalseAccepts, result.PerHeldOutClass.Sum(c => c.Accepted));
    }

    [Fact]
    public void UnknownHeldOutClass_IsAClearError()
    {
        var e = Assert.Throws<LookoutException>(() => OpenSetEvaluator.Evaluate(Clusters(classes: 3, perClass: 12), ["nope"], TrainOptions.Default with { Epochs = 2 }));
        Assert.Contains("nope", e.Message);
    }

    [Fact]
    public void Calibrator_KeepsAboutTheTargetShareOfKnownValidation()
    {
        var items = Clusters(classes: 3, perClass: 200, noise: 1.2);
        var labels = new[] { "class0", "class1", "class2" };
        EmbeddingData Data(Split s) => new(items.Where(i => i.Item.Split == s).Select(i => i.Embedding).ToArray(),
            items.Where(i => i.Item.Split == s).Select(i => Array.IndexOf(labels, i.Item.Label)).ToArray());
        var train = Data(Split.Train); var val = Data(Split.Val);
        var fit = HeadTrainer.Fit(train, val, labels, TrainOptions.Default with { Epochs = 30 });
        var t = RejectionCalibrator.Fit(fit.Head, train, val, new CalibrationOptions { TargetKeep = 0.8 })!;
        var rejector = new Rejector(t);
        int correct = 0, kept = 0;
        for (int i = 0; i < val.Count; i++)
        {
            var d = rejector.Decide(labels, fit.Head.Probabilities(val.X[i]), val.X[i]);
            if (d.Predicted != labels[val.Y[i]]) continue;
            correct++;
            if (!d.Unknown) kept++;
        }
        double keep = (double)kept / correct;
        output.WriteLine($"kept {keep:P1} of {correct}");
        Assert.InRange(keep, 0.7, 0.9);
        Assert.All(t.Classes, c => Assert.Equal(t.Dim, c.Centroid.Length));
        Assert.Equal(t.ToJson(), RejectionThresholds.FromJson(t.ToJson()).ToJson());
    }

    [Fact]
    public void HeadForward_MatchesTorch()
    {
        var items = Clusters(classes: 3, perClass: 20);
        var x = items.Select(i => i.Embedding).ToArray();
        var y = items.Select(i => int.Parse(i.Item.Label[^1..])).ToArray();
        var fit = HeadTrainer.Fit(new EmbeddingData(x, y), null, ["a", "b", "c"], TrainOptions.Default with { Epochs = 3, Hidden = 8 });
        var torchProbs = TorchHead.Probabilities(fit.Head, x);
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(torchProbs[i], fit.Head.Probabilities(x[i]), (a, b) => Math.Abs(a - b) < 1e-5f);
    }
}

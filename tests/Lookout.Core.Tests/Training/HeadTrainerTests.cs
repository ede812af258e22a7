using Lookout.Core.Training;
using Lookout.Core.Models.Heads;

namespace Lookout.Core.Tests.Training;

public class HeadTrainerTests
{
    /// <summary>Three Gaussian blobs in 20-d with one constant feature and unequal class sizes.</summary>
    internal static (EmbeddingData Train, EmbeddingData Val) Blobs(int seed = 3)
    {
        var rng = new Random(seed);
        EmbeddingData Make(int[] counts)
        {
            var x = new List<float[]>(); var y = new List<int>();
            for (int c = 0; c < counts.Length; c++)
                for (int i = 0; i < counts[c]; i++)
                {
                    var v = new float[20];
                    for (int d = 0; d < 19; d++) v[d] = (float)(rng.NextDouble() * 2 - 1 + (d % 3 == c ? 2.5 : 0));
                    v[19] = 7f; // constant: must not produce NaN through standardisation
                    x.Add(v); y.Add(c);
                }
            return new EmbeddingData([.. x], [.. y]);
        }
        return (Make([60, 30, 10]), Make([20, 10, 10]));
    }

    private static readonly string[] Labels = ["a", "b", "c"];

    [Fact]
    public async Task SameSeed_GivesIdenticalWeights_DifferentSeedDoesNot_EvenWhenRunConcurrently()
    {
        var (train, val) = Blobs();
        var opts = new TrainOptions { Hidden = 16, Dropout = 0.3, Epochs = 15, BatchSize = 16 };
        // Concurrent fits would disturb each other if any randomness came from torch's global generator.
        var fits = await Task.WhenAll(
            Task.Run(() => HeadTrainer.Fit(train, val, Labels, opts)),
            Task.Run(() => HeadTrainer.Fit(train, val, Labels, opts)),
            Task.Run(() => HeadTrainer.Fit(train, val, Labels, opts with { Seed = 43 })));
        var (a, b, c) = (fits[0], fits[1], fits[2]);
        Assert.Equal(2, a.Head.Layers.Count);
        for (int i = 0; i < a.Head.Layers.Count; i++)
        {
            Assert.Equal(a.Head.Layers[i].Weight, b.Head.Layers[i].Weight);
            Assert.Equal(a.Head.Layers[i].Bias, b.Head.Layers[i].Bias);
        }
        Assert.Equal(a.Epochs.Select(e => e.TrainLoss), b.Epochs.Select(e => e.TrainLoss));
        Assert.NotEqual(a.Head.Layers[0].Weight, c.Head.Layers[0].Weight);
    }

    [Fact]
    public void LearnsSeparableData_AndStopsEarly_KeepingTheBestEpoch()
    {
        var (train, val) = Blobs();
        var fit = HeadTrainer.Fit(train, val, Labels, new TrainOptions { Epochs = 400, Patience = 5, LearningRate = 0.05 });
        Assert.True(fit.Epochs.Count < 400, "early stopping never triggered");
        Assert.Equal(fit.BestEpoch + 5, fit.Epochs.Count);
        var best = fit.Epochs[fit.BestEpoch - 1];
        Assert.Equal(fit.Epochs.Min(e => e.ValLoss), best.ValLoss);
        Assert.True(best.ValAccuracy >= 0.95, $"val acc {best.ValAccuracy}");
        Assert.All(fit.Head.Std, s => Assert.True(s > 0 && float.IsFinite(s)));
        Assert.Equal(1f, fit.Head.Std[19]);

        // The kept weights are the best epoch's: torch probabilities on val reproduce its accuracy.
        var probs = TorchHead.Probabilities(fit.Head, val.X);
        double acc = probs.Select((p, i) => Array.IndexOf(p, p.Max()) == val.Y[i] ? 1 : 0).Average();
        Assert.Equal(best.ValAccuracy, acc, 9);
    }

    [Fact]
    public void ClassWeights_AreInverseFrequency()
    {
        var w = HeadTrainer.ClassWeights([0, 0, 0, 1, 2, 2], 4);
        Assert.Equal([6 / 9f, 2f, 1f, 0f], w);
    }

    [Fact]
    public void FoldedLayers_ComputeTheSameFunction()
    {
        var head = new HeadWeights(["x", "y"], [1f, -2f], [2f, 0.5f], [new DenseLayer(2, 2, [1f, 2f, 3f, -1f], [0.5f, -0.5f])]);
        var folded = head.FoldedLayers()[0];
        float[] x = [3f, 1f];
        // standardised: (1, 6); layer: (1*1 + 2*6 + 0.5, 3*1 - 6 - 0.5) = (13.5, -3.5)
        float F(int o) => folded.Weight[o * 2] * x[0] + folded.Weight[o * 2 + 1] * x[1] + folded.Bias[o];
        Assert.Equal(13.5f, F(0), 5);
        Assert.Equal(-3.5f, F(1), 5);
    }

    [Fact]
    public void InvalidOptions_AreRejectedWithTheOptionName()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainOptions { LabelSmoothing = 1.5 }.Validate());
        Assert.Contains("LabelSmoothing", e.Message);
    }

    [Fact]
    public void Refit_TrainsOnTrainAndVal_ForTheChosenEpochs_KeepingTheLast()
    {
        var (train, val) = Blobs();
        var opts = new TrainOptions { Epochs = 40, BatchSize = 16, Patience = 3 };
        var fit = HeadTrainer.Fit(train, val, Labels, opts);
        var refit = HeadTrainer.Refit(train, val, Labels, opts, fit.BestEpoch);
        Assert.Equal(fit.BestEpoch, refit.Epochs.Count);
        Assert.Equal(fit.BestEpoch, refit.BestEpoch); // no validation: the last epoch is the one kept
        Assert.All(refit.Epochs, e => Assert.True(double.IsNaN(e.ValLoss)));
        // Standardisation now covers the validation rows too, so the head differs from the validated one.
        Assert.NotEqual(fit.Head.Mean, refit.Head.Mean);
        var again = HeadTrainer.Refit(train, val, Labels, opts, fit.BestEpoch);
        Assert.Equal(refit.Head.Layers[0].Weight, again.Head.Layers[0].Weight);
    }
}

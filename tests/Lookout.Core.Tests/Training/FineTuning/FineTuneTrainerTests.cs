using Lookout.Core.Models.Onnx;
using Lookout.Core.Training.Augmentation;
using Lookout.Core.Training.FineTuning;

namespace Lookout.Core.Tests.Training.FineTuning;

public sealed class FineTuneTrainerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lookout-ft-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    private static readonly FineTuneOptions Options = new()
    {
        Epochs = 4, BatchSize = 8, TrainableBlocks = 1, BackboneLearningRate = 3e-3, HeadLearningRate = 3e-2,
        WarmupFraction = 0.2, LabelSmoothing = 0.1, Patience = 0, Seed = 11,
    };

    private static IAugmentation Aug => new AugmentationPipeline(new HorizontalFlip(), new SmallRotation(8), new ColorJitter(0.1, 0.1, 0.1));

    private static Dictionary<string, byte[]> Weights(FineTuneResult r)
    {
        var d = r.Backbone.Graph.Initializers.ToDictionary(t => t.Name, t => t.RawData);
        d["head.w"] = r.Head.Weight.SelectMany(BitConverter.GetBytes).ToArray();
        d["head.b"] = r.Head.Bias.SelectMany(BitConverter.GetBytes).ToArray();
        return d;
    }

    [Fact]
    public void Training_LearnsTheTask_AndExportedBackboneKeepsTheGraph()
    {
        var backbone = TinyTask.Backbone();
        var result = new FineTuneTrainer(backbone, Options with { Epochs = 6 }, Aug)
            .Train(TinyTask.Data(48, 16, 1), TinyTask.Data(24, 16, 2), 2, _dir);
        Assert.Equal(6, result.History.Count);
        Assert.True(result.History[^1].TrainLoss < result.History[0].TrainLoss, string.Join(", ", result.History.Select(h => h.TrainLoss.ToString("F3"))));
        Assert.True(result.History.Max(h => h.ValAccuracy) >= 0.9, string.Join(", ", result.History.Select(h => h.ValAccuracy.ToString("F2"))));
        Assert.Equal(backbone.Graph.Nodes.Count, result.Backbone.Graph.Nodes.Count);
        // Trainable = last conv block only: the first conv is untouched, the last one moved.
        Assert.Equal(backbone.Graph.Initializers.First(t => t.Name == "c1_w").RawData, result.Backbone.Graph.Initializers.First(t => t.Name == "c1_w").RawData);
        Assert.NotEqual(backbone.Graph.Initializers.First(t => t.Name == "c2_w").RawData, result.Backbone.Graph.Initializers.First(t => t.Name == "c2_w").RawData);
        // LR schedule: warm-up then cosine to ~0 at the end.
        Assert.True(result.History[^1].HeadLearningRate < 0.05 * Options.HeadLearningRate);
        Assert.True(File.Exists(FineTuneCheckpoint.PathIn(_dir)));
    }

    [Fact]
    public void Resume_AfterAKill_EndsWithTheSameWeightsAsAnUninterruptedRun()
    {
        var backbone = TinyTask.Backbone();
        var train = TinyTask.Data(20, 16, 3);
        var val = TinyTask.Data(8, 16, 4);
        var full = new FineTuneTrainer(backbone, Options, Aug).Train(train, val, 2, Path.Combine(_dir, "a"));

        using var cts = new CancellationTokenSource();
        var killer = new KillAfter(1, cts);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new FineTuneTrainer(backbone, Options, Aug, observer: killer).Train(train, val, 2, Path.Combine(_dir, "b"), cts.Token));
        Assert.Equal(2, FineTuneCheckpoint.Load(Path.Combine(_dir, "b")).EpochsDone);
        var resumed = new FineTuneTrainer(backbone, Options, Aug).Resume(train, val, 2, Path.Combine(_dir, "b"));

        Assert.Equal(full.History.Select(h => h.TrainLoss), resumed.History.Select(h => h.TrainLoss));
        var a = Weights(full); var b = Weights(resumed);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var k in a.Keys) Assert.True(a[k].SequenceEqual(b[k]), $"{k} differs after resume");
    }

    [Fact]
    public void EarlyStopping_StopsAndRestoresTheBestEpoch()
    {
        var train = TinyTask.Data(24, 16, 5);
        // Validation labels are flipped: as the model learns the task, validation loss only rises.
        var flipped = TinyTask.Data(8, 16, 6);
        var val = new InMemoryFineTuneData(Enumerable.Range(0, 8).Select(flipped.Image).ToList(), Enumerable.Range(0, 8).Select(i => 1 - flipped.Label(i)).ToList());
        var result = new FineTuneTrainer(TinyTask.Backbone(), Options with { Epochs = 8, Patience = 2 })
            .Train(train, val, 2, _dir);
        Assert.True(result.StoppedEarly);
        Assert.True(result.History.Count < 8);
        var ckpt = FineTuneCheckpoint.Load(_dir);
        Assert.True(ckpt.Finished);
        Assert.Equal(result.BestEpoch, ckpt.BestEpoch);
        Assert.Equal(ckpt.Tensors["best/head/weight"], result.Head.Weight);
        Assert.NotEqual(ckpt.Tensors["param/head/weight"], result.Head.Weight);
    }

    [Fact]
    public void Resume_WithOtherOptions_IsRefused_AndBadLabelsAreReported()
    {
        var backbone = TinyTask.Backbone();
        var train = TinyTask.Data(8, 16, 7);
        new FineTuneTrainer(backbone, Options with { Epochs = 1 }).Train(train, train, 2, _dir);
        var e = Assert.Throws<LookoutException>(() => new FineTuneTrainer(backbone, Options with { Epochs = 1, Seed = 99 }).Resume(train, train, 2, _dir));
        Assert.Contains("different fine-tuning options", e.Message);
        var bad = new InMemoryFineTuneData([train.Image(0), train.Image(1)], [0, 5]);
        Assert.Contains("label 5", Assert.Throws<LookoutException>(() => new FineTuneTrainer(backbone, Options).Train(bad, bad, 2, _dir)).Message);
    }

    private sealed class KillAfter(int epoch, CancellationTokenSource cts) : IFineTuneObserver
    {
        public void OnEpochEnd(FineTuneEpoch e) { if (e.Epoch == epoch) cts.Cancel(); }
    }
}

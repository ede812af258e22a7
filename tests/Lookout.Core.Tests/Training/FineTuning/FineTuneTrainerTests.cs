using Lookout.Core.Export;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Lookout.Core.Training.FineTuning;
using Lookout.Core.Imaging.Augmentation;
using Lookout.Core.Models.Heads;
using Lookout.Core.Models.OnnxTorch;
using Lookout.Core.Runs;

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
        // Resuming a finished run trains nothing and hands back the same (best) model.
        var again = new FineTuneTrainer(TinyTask.Backbone(), Options with { Epochs = 8, Patience = 2 }).Resume(train, val, 2, _dir);
        Assert.Equal(result.Head.Weight, again.Head.Weight);
        Assert.Equal(result.History.Count, again.History.Count);
        Assert.True(again.StoppedEarly);
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

    [Fact]
    public void FineTunedModel_ExportsAsOneOnnxClassifier_WhoseProbsMatchTorch()
    {
        var train = TinyTask.Data(16, 16, 8);
        var result = new FineTuneTrainer(TinyTask.Backbone(), Options with { Epochs = 2, TrainableBlocks = 2 }, Aug).Train(train, train, 2, _dir);
        var path = Path.Combine(_dir, "backbone.onnx");
        OnnxWriter.Save(result.Backbone, path);
        var exported = ExportService.Build(Backbone.FromOnnx(path, "tiny-ft"), result.Head.ToHeadWeights(["red", "blue"]), "run-ft");

        var pixels = Enumerable.Range(0, 4).SelectMany(i => train.Image(i).Pixels).ToArray();
        using var session = new InferenceSession(OnnxWriter.Serialize(exported));
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor("image", new DenseTensor<byte>(pixels, [4, 16, 16, 3]))]);
        var ortProbs = outputs.First(o => o.Name == "probs").AsEnumerable<float>().ToArray();

        using var module = new OnnxTorchModule(result.Backbone);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var emb = module.forward(torch.tensor(pixels, dtype: ScalarType.Byte).reshape(4, 16, 16, 3));
        var logits = torch.nn.functional.linear(emb, torch.tensor(result.Head.Weight).reshape(2, result.Head.Dim), torch.tensor(result.Head.Bias));
        var torchProbs = torch.nn.functional.softmax(logits, 1).data<float>().ToArray();
        for (int i = 0; i < ortProbs.Length; i++) Assert.Equal(torchProbs[i], ortProbs[i], 5);
    }

    [Fact]
    public void InitialHead_FromTheFrozenEmbeddingTrainer_IsTheStartingPoint()
    {
        var r = new Random(4);
        float[] Rand(int n, double lo, double hi) => Enumerable.Range(0, n).Select(_ => (float)(lo + r.NextDouble() * (hi - lo))).ToArray();
        var frozen = new HeadWeights(["red", "blue"], Rand(12, 0, 1), Rand(12, 0.5, 2), [new DenseLayer(12, 2, Rand(24, -1, 1), Rand(2, -1, 1))]);
        var start = frozen.ToLinearHead();
        var train = TinyTask.Data(8, 16, 9);
        var still = Options with { Epochs = 1, BackboneLearningRate = 0, HeadLearningRate = 1e-12, WeightDecay = 0 };
        var result = new FineTuneTrainer(TinyTask.Backbone(), still, initialHead: start).Train(train, train, 2, _dir);
        for (int i = 0; i < start.Weight.Length; i++) Assert.Equal(start.Weight[i], result.Head.Weight[i], 5);
        Assert.Equal(start.Bias[0], result.Head.Bias[0], 5);

        var wrong = new LinearHead(2, 5, new float[10], new float[2]);
        Assert.Contains("[2,5]", Assert.Throws<LookoutException>(() =>
            new FineTuneTrainer(TinyTask.Backbone(), still, initialHead: wrong).Train(train, train, 2, _dir)).Message);
    }

    [Fact]
    public void TensorBoardObserver_RecordsEpochCurvesAndBatchLosses()
    {
        var train = TinyTask.Data(16, 16, 10);
        string file;
        using (var tb = new TensorBoardObserver(Path.Combine(_dir, "run")))
        {
            new FineTuneTrainer(TinyTask.Backbone(), Options with { Epochs = 2 }, observer: tb).Train(train, train, 2, _dir);
            file = tb.FilePath;
        }
        var events = Lookout.TestSupport.TfEventsTestReader.ReadEvents(File.ReadAllBytes(file));
        var tags = events.Where(e => e.Tag is not null).GroupBy(e => e.Tag!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, tags["loss/train"]);
        Assert.Equal(2, tags["accuracy/val"]);
        Assert.Equal(2, tags["lr/head"]);
        Assert.Equal(4, tags["loss/batch"]); // 16 images / batch 8 x 2 epochs
        Assert.Equal([0L, 1L, 2L, 3L], events.Where(e => e.Tag == "loss/batch").Select(e => e.Step));
        Assert.Equal([1L, 2L], events.Where(e => e.Tag == "loss/train").Select(e => e.Step)); // epochs numbered from 1, like head runs
    }

    [Fact]
    public void ImageFileData_DecodesAtTheSpecOnce()
    {
        Directory.CreateDirectory(_dir);
        var spec = new Lookout.Core.Imaging.PreprocessSpec { Width = 16, Height = 16 };
        var paths = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            var img = TinyTask.Blob(40, 20, 20, i == 0, new Random(i));
            var path = Path.Combine(_dir, $"img{i}.png");
            using var vips = NetVips.Image.NewFromMemory(img.Pixels, 40, 40, 3, NetVips.Enums.BandFormat.Uchar);
            vips.WriteToFile(path);
            paths.Add(path);
        }
        var data = new ImageFileFineTuneData(paths, [0, 1], spec);
        var first = data.Image(0);
        Assert.Equal((16, 16), (first.Width, first.Height));
        Assert.Same(first, data.Image(0));
        var centre = (8 * 16 + 8) * 3;
        Assert.True(first.Pixels[centre] > first.Pixels[centre + 2], "red blob survives decoding");
        Assert.True(data.Image(1).Pixels[centre + 2] > data.Image(1).Pixels[centre], "blue blob survives decoding");
    }

    private sealed class KillAfter(int epoch, CancellationTokenSource cts) : IFineTuneObserver
    {
        public void OnEpochEnd(FineTuneEpoch e) { if (e.Epoch == epoch) cts.Cancel(); }
    }
}

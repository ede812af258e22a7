using Lookout.Core.Datasets;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Runs;
using Lookout.Core.Tests.TestData;
using Lookout.Core.Training;
using Lookout.Core.Training.Scratch;
using Lookout.Core.Models.Heads;
using Lookout.Core.Pipelines.Train;
using Microsoft.ML.OnnxRuntime;
using ModelMetadata = Lookout.Core.Models.ModelMetadata;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using Xunit.Abstractions;

namespace Lookout.Core.Tests.Training.Scratch;

/// <summary>
/// Compact-CNN training switches libtorch's kernels process-wide for its duration (after a parity check), so these
/// tests run alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchKernelSwitchCollection
{
    public const string Name = "torch-kernel-switch";
}

[Collection(TorchKernelSwitchCollection.Name)]
public sealed class ScratchTests(ITestOutputHelper output) : IDisposable
{
    private const int Size = 16;
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-scratch-").FullName;

    private static SmallImageSet Shapes(int perClass, int seed)
    {
        var rng = new Random(seed);
        var px = new List<byte[]>(); var y = new List<int>();
        for (int i = 0; i < perClass; i++)
            for (int c = 0; c < ShapesDataset.Classes.Length; c++) { px.Add(ShapesDataset.Draw(ShapesDataset.Classes[c], Size, rng)); y.Add(c); }
        return new SmallImageSet(Size, Size, px, [.. y]);
    }

    private static readonly CompactCnnOptions Tiny = new() { Widths = [8, 12, 16], ConvsPerStage = 1, Epochs = 6, BatchSize = 16, LearningRate = 0.02, Cutout = 4 };

    [Fact]
    public void Trains_AndItsExportedTrunkGivesTheTorchEmbeddings_ThroughTheOneFileContract()
    {
        var train = Shapes(30, 1);
        var val = Shapes(8, 2);
        var stages = new List<string>();
        using var fit = CompactCnnTrainer.Train(train, val, 4, Tiny, new Recorder(stages));
        output.WriteLine(string.Join("\n", stages));
        output.WriteLine(string.Join("\n", fit.Epochs.Select(e => $"epoch {e.Epoch}: train {e.TrainAccuracy:P0} val {e.ValAccuracy:P0}")));
        Assert.Equal(6, fit.Epochs.Count);
        Assert.Contains(stages, s => s.StartsWith("compact CNN kernels:", StringComparison.Ordinal));
        Assert.True(fit.Epochs[^1].ValAccuracy > 0.5, $"val accuracy {fit.Epochs[^1].ValAccuracy:P0}");

        var spec = new PreprocessSpec { Width = Size, Height = Size, Resize = ResizeMode.Stretch, Mean = fit.Mean, Std = fit.Std };
        var trunk = Path.Combine(_dir, "trunk.onnx");
        OnnxWriter.Save(fit.Model.ExportTrunk(spec, "compact-test"), trunk);
        var backbone = Backbone.FromOnnx(trunk);
        Assert.Equal(16, backbone.EmbeddingDim);
        var torchRows = CompactCnnTrainer.Embed(fit.Model, val, fit.Mean, fit.Std);
        using (var runner = new OnnxImageRunner(trunk, Backbone.OutputName, spec))
        {
            var ortRows = runner.Run([.. val.Pixels.Select(p => new RgbImage(Size, Size, p))]);
            double worst = 0, max = 1e-9;
            for (int i = 0; i < ortRows.Length; i++)
                for (int k = 0; k < ortRows[i].Length; k++) { worst = Math.Max(worst, Math.Abs(ortRows[i][k] - torchRows[i][k])); max = Math.Max(max, Math.Abs(torchRows[i][k])); }
            output.WriteLine($"ORT trunk vs torch embeddings: relative error {worst / max:E2}");
            Assert.True(worst / max < 1e-4, $"relative error {worst / max:E2}");
        }

        var labels = ShapesDataset.Classes;
        var model = Path.Combine(_dir, "model.onnx");
        Lookout.Core.Export.ExportService.Export(backbone, fit.Model.Head(labels), "r1", model);
        using var classifier = ClassifierModel.Load(model);
        Assert.Equal(labels, classifier.Labels);
        var (_, acc) = CompactCnnTrainer.Evaluate(fit.Model, val, fit.Mean, fit.Std);
        var probs = classifier.Probabilities([.. val.Pixels.Select(p => new RgbImage(Size, Size, p))]);
        int correct = probs.Select((p, i) => HeadForward.ArgMax(p) == val.Labels[i] ? 1 : 0).Sum();
        Assert.Equal(acc, (double)correct / val.Count, 3);
    }

    [Fact]
    public void Kernels_PaddedChannelCountsKeepTheVerifiedKernels_AndTheChoiceIsRememberedPerNetwork()
    {
        // oneDNN's errors on some CPUs come and go with channel counts it pads to blocks of 16 (a single passing
        // check proved nothing there), so such a network never gets oneDNN unless the process-wide self-check accepted it.
        var verified = Lookout.Core.Torch.TorchRuntime.EnsureVerified().Kernels;
        using var padded = new CompactCnn(4, Tiny);
        var choice = CompactCnnKernels.Choose(padded, Size, Size);
        Assert.Equal(verified, choice.Kernels);
        if (verified != Lookout.Core.Torch.TorchKernels.OneDnn) Assert.Contains("multiples of 16", choice.Reason);
        using var same = new CompactCnn(4, Tiny with { Seed = 9 });
        Assert.Equal(choice, CompactCnnKernels.Choose(same, Size, Size));
        using var blocked = new CompactCnn(4, Tiny with { Widths = [16, 32, 48] });
        var other = CompactCnnKernels.Choose(blocked, Size, Size);
        output.WriteLine(other.Reason);
        Assert.DoesNotContain("multiples of 16", other.Reason);
    }

    [Fact]
    public void SameSeed_SameWeights()
    {
        var train = Shapes(10, 3);
        var o = Tiny with { Epochs = 2 };
        using var a = CompactCnnTrainer.Train(train, null, 4, o);
        using var b = CompactCnnTrainer.Train(train, null, 4, o);
        Assert.Equal(a.Model.Head(ShapesDataset.Classes).Layers[0].Weight, b.Model.Head(ShapesDataset.Classes).Layers[0].Weight);
    }

    [Fact]
    public async Task Service_WritesARunLikeEveryOther_WithTheTrunkAsItsBackbone()
    {
        using var data = new ShapesDataset(perClass: 20, size: Size, seed: 5);
        var run = new RunFolder("s1", Path.Combine(_dir, "s1"));
        var result = await new ScratchTrainingService().RunAsync(new TrainOptions(), Tiny with { Epochs = 3 }, data.Items, Size, Size, run);
        Assert.True(File.Exists(run.ModelPath));
        Assert.NotNull(result.Test);
        Assert.Equal(3, result.Fit.Epochs.Count);
        var manifest = run.ReadJson<RunManifest>(run.ManifestPath)!;
        Assert.Equal(Backbone.FromOnnx(manifest.Backbone).Id, BackboneResolver.ResolveRecorded(manifest.Backbone).Id);
        var meta = OnnxReader.ReadMetadata(run.ModelPath);
        Assert.Equal(Size, PreprocessSpec.FromJson(meta[ModelMetadata.Preprocess]).Width);
        Assert.StartsWith("compact-cnn-", meta[ModelMetadata.Backbone], StringComparison.Ordinal);
        Assert.True(meta.ContainsKey(ModelMetadata.Thresholds));
        using var session = new InferenceSession(run.ModelPath);
        Assert.Equal([ModelMetadata.ProbsOutput, ModelMetadata.EmbeddingOutput], session.OutputMetadata.Keys.ToArray());
    }

    [Fact]
    public void BatchBuilder_Augments_ByShiftFlipAndCutout_AndNormalisesLikeTheGraph()
    {
        var px = new byte[4 * 4 * 3];
        for (int i = 0; i < 16; i++) { px[i * 3] = (byte)(i * 10); px[i * 3 + 1] = 50; px[i * 3 + 2] = 100; }
        var set = new SmallImageSet(4, 4, [px], [0]);
        float[] mean = [5, 20, 30], std = [2, 4, 5];
        var plain = new BatchBuilder(set, mean, std, new CompactCnnOptions { MaxShift = 0, HorizontalFlip = false, Cutout = 0 }).Build([0], null);
        Assert.Equal((0 - 5) / 2f, plain[0]);
        Assert.Equal((150 - 5) / 2f, plain[15 * 3]); // NHWC: pixel 15, channel 0
        Assert.Equal((50 - 20) / 4f, plain[1]);
        var flipped = new BatchBuilder(set, mean, std, new CompactCnnOptions { MaxShift = 0, HorizontalFlip = true, Cutout = 0 });
        var seen = Enumerable.Range(0, 20).Select(s => flipped.Build([0], new Random(s))[0]).Distinct().ToList();
        Assert.Equal([(0 - 5) / 2f, (30 - 5) / 2f], seen.Order().ToList()); // pixel 0 or its mirror, pixel 3
        var cut = new BatchBuilder(set, mean, std, new CompactCnnOptions { MaxShift = 0, HorizontalFlip = false, Cutout = 2 });
        Assert.Contains(Enumerable.Range(0, 20), s => cut.Build([0], new Random(s)).Where((_, i) => i % 3 == 0).Count(v => v == 0f) == 4);
    }

    [Fact]
    public void Policy_FromScratchOnlyForSmallAndPlentifulImages()
    {
        var small = Enumerable.Repeat((28, 28), 100).ToList();
        var d = SmallImagePolicy.Decide(small, trainImages: 60000, classes: 10);
        Assert.True(d.FromScratch);
        Assert.Equal((28, 28), (d.Width, d.Height));
        Assert.Contains("small (28 px) and plentiful", d.Reason);
        Assert.False(SmallImagePolicy.Decide(small, trainImages: 200, classes: 10).FromScratch);
        var big = Enumerable.Repeat((640, 480), 100).ToList();
        Assert.False(SmallImagePolicy.Decide(big, trainImages: 60000, classes: 10).FromScratch);
        var mixed = Enumerable.Range(0, 100).Select(i => (40 + i % 20, 30 + i % 10)).ToList();
        var m = SmallImagePolicy.Decide(mixed, 60000, 10);
        Assert.True(m.FromScratch);
        Assert.Equal((50, 35), (m.Width, m.Height));
    }

    private sealed class Recorder(List<string> stages) : ITrainingObserver
    {
        public void OnStage(string stage) => stages.Add(stage);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

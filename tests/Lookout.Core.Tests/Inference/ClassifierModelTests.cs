using Lookout.Core.Export;
using Lookout.Core.Inference;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Tests.TestData;
using Lookout.Core.Models.Heads;

namespace Lookout.Core.Tests.Inference;

public class ClassifierModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-clf-").FullName;

    /// <summary>An exported model with a hand-set head: class "bright" wins on large first feature values.</summary>
    private string ExportModel()
    {
        var bb = GeneratedBackbone.EnsureIn(_dir, size: 32, seed: 1);
        int d = bb.EmbeddingDim;
        var w = new float[3 * d];
        w[0] = 4f; w[d + 0] = -4f; // feature 0 = global mean of R
        var head = new HeadWeights(["bright", "dark", "never"], new float[d], Enumerable.Repeat(1f, d).ToArray(),
            [new DenseLayer(d, 3, w, [0f, 0f, -20f])]);
        var path = Path.Combine(_dir, "m.onnx");
        ExportService.Export(bb, head, "t", path);
        return path;
    }

    private string Png(string name, byte value)
    {
        var path = Path.Combine(_dir, name);
        ShapesDataset.WritePng(path, Enumerable.Repeat(value, 40 * 40 * 3).ToArray(), 40);
        return path;
    }

    [Fact]
    public async Task ClassifiesInOrder_ReportsBadFilesPerItem_AndSortsPredictions()
    {
        using var model = ClassifierModel.Load(ExportModel(), new Lookout.Core.Models.OnnxRunnerOptions { BatchSize = 2 });
        var bad = Path.Combine(_dir, "broken.png");
        File.WriteAllBytes(bad, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var paths = new[] { Png("w.png", 250), bad, Png("b.png", 5), Path.Combine(_dir, "missing.jpg"), Png("w2.png", 240) };
        var results = new List<ClassifyResult>();
        await foreach (var r in model.ClassifyFilesAsync(paths, top: 3)) results.Add(r);

        Assert.Equal(paths, results.Select(r => r.Source));
        Assert.Equal(["bright", null, "dark", null, "bright"], results.Select(r => r.Top?.Label));
        Assert.False(results[1].Ok);
        Assert.Contains("image", results[1].Error);
        Assert.Equal("file not found", results[3].Error);
        var preds = results[0].Predictions;
        Assert.Equal(3, preds.Count);
        Assert.True(preds[0].Score >= preds[1].Score && preds[1].Score >= preds[2].Score);
        Assert.Equal(1f, results[0].Probabilities!.Sum(), 5);
    }

    [Fact]
    public async Task InMemorySources_GetTheSameScoresAsTheirFiles_AndABadOneIsItsOwnError()
    {
        using var model = ClassifierModel.Load(ExportModel(), new Lookout.Core.Models.OnnxRunnerOptions { BatchSize = 2 });
        var paths = new[] { Png("w.png", 250), Png("b.png", 5), Png("w2.png", 240) };
        var fromFiles = new List<ClassifyResult>();
        await foreach (var r in model.ClassifyFilesAsync(paths)) fromFiles.Add(r);
        var sources = paths.Select(p => Lookout.Core.Imaging.ImageSource.FromBytes(File.ReadAllBytes(p), Path.GetFileName(p))).ToList();
        sources.Insert(1, Lookout.Core.Imaging.ImageSource.FromBytes([0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3], "broken.png"));
        var fromMemory = new List<ClassifyResult>();
        await foreach (var r in model.ClassifySourcesAsync(sources)) fromMemory.Add(r);

        Assert.Equal(["w.png", "broken.png", "b.png", "w2.png"], fromMemory.Select(r => r.Source));
        Assert.False(fromMemory[1].Ok);
        var good = fromMemory.Where(r => r.Ok).ToList();
        for (int i = 0; i < paths.Length; i++) Assert.Equal(fromFiles[i].Probabilities!, good[i].Probabilities!);
    }

    [Fact]
    public async Task IsThreadSafe_ConcurrentCallersGetTheSameScores()
    {
        using var model = ClassifierModel.Load(ExportModel());
        var bytes = File.ReadAllBytes(Png("w.png", 200));
        var expected = model.Classify(bytes).Probabilities!;
        var all = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => model.Classify(bytes).Probabilities!)));
        Assert.All(all, p => Assert.Equal(expected, p));
    }

    [Fact]
    public void LargeImageLists_AreSplitIntoBatches_WithTheSameScores()
    {
        using var model = ClassifierModel.Load(ExportModel(), new Lookout.Core.Models.OnnxRunnerOptions { BatchSize = 2 });
        var images = Enumerable.Range(0, 5)
            .Select(i => new Lookout.Core.Imaging.RgbImage(32, 32, Enumerable.Repeat((byte)(i * 50), 32 * 32 * 3).ToArray())).ToList();
        var all = model.Probabilities(images);
        Assert.Equal(5, all.Length);
        for (int i = 0; i < 5; i++) Assert.Equal(model.Probabilities([images[i]])[0], all[i]);
        Assert.Equal("dark", model.Classify(images[0])[0].Label);
        Assert.Equal("bright", model.Classify(images[4])[0].Label);
    }

    [Fact]
    public void RejectsOnnxWithoutLookoutMetadata()
    {
        var bb = GeneratedBackbone.EnsureIn(_dir, size: 32, seed: 1);
        var e = Assert.Throws<InvalidDataException>(() => ClassifierModel.Load(bb.OnnxPath));
        Assert.Contains("not a Lookout classifier", e.Message);
    }

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }
}

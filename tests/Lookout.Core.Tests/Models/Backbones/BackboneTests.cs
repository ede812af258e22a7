using Lookout.Core.Datasets;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Tests.TestData;
using Lookout.Core.Embeddings;

namespace Lookout.Core.Tests.Models.Backbones;

public class BackboneTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-bb-").FullName;

    [Fact]
    public void GeneratedBackbone_IsDeterministic_AndMeetsTheBackboneContract()
    {
        var a = GeneratedBackbone.Write(Path.Combine(_dir, "a.onnx"), 64, 5);
        var b = GeneratedBackbone.Write(Path.Combine(_dir, "b.onnx"), 64, 5);
        var c = GeneratedBackbone.Write(Path.Combine(_dir, "c.onnx"), 64, 6);
        Assert.Equal(File.ReadAllBytes(a.OnnxPath), File.ReadAllBytes(b.OnnxPath));
        Assert.Equal(a.ModelHash, b.ModelHash);
        Assert.NotEqual(a.ModelHash, c.ModelHash);
        Assert.Equal("generated-s5-64", a.Id);
        Assert.Equal(262, a.EmbeddingDim);
        Assert.Equal(64, a.Spec.Width);
    }

    [Fact]
    public void FromOnnx_RejectsFilesThatBreakTheContract()
    {
        var bld = new OnnxGraphBuilder();
        bld.Input("x", OnnxDataType.Float, "N", 4);
        bld.NodeNamed("Identity", ["x"], ["embedding"]);
        bld.Output("embedding", OnnxDataType.Float, "N", 4);
        var path = Path.Combine(_dir, "bad.onnx");
        OnnxWriter.Save(new OnnxModel { Graph = bld.Graph }, path);
        var e = Assert.Throws<InvalidDataException>(() => Backbone.FromOnnx(path));
        Assert.Contains("no input named 'image'", e.Message);
    }

    [Fact]
    public async Task Extractor_EmbedsOncePerContent_UsesCache_AndReportsBadFilesPerItem()
    {
        var bb = GeneratedBackbone.EnsureIn(_dir);
        var rng = new Random(1);
        var items = new List<LabeledImage>();
        for (int i = 0; i < 5; i++)
        {
            var p = Path.Combine(_dir, $"img{i}.png");
            ShapesDataset.WritePng(p, ShapesDataset.Draw(ShapesDataset.Classes[i % 4], 80, rng), 80);
            items.Add(new LabeledImage(p, $"sha{i}", "x", Split.Train, $"sha{i}"));
        }
        var bad = Path.Combine(_dir, "bad.jpg");
        File.WriteAllText(bad, "not an image");
        items.Add(new LabeledImage(bad, "shabad", "x", Split.Train, "shabad"));
        items.Add(items[0] with { Path = Path.Combine(_dir, "img0.png") }); // duplicate content

        using var cache = new EmbeddingCache(Path.Combine(_dir, "cache", "embeddings.db"));
        var reports = new List<BatchProgress>();
        EmbeddingSet first;
        using (var ex = new EmbeddingExtractor(bb, cache, new OnnxRunnerOptions { BatchSize = 2 }))
            first = await ex.ExtractAsync(items, new ListProgress(reports));
        Assert.Equal(6, reports[^1].Total); // 5 distinct good + 1 bad; the duplicate is not decoded again
        Assert.Equal(1, reports[^1].Failed);
        Assert.Single(first.Errors);
        Assert.Equal(bad, first.Errors[0].Path);
        Assert.Null(first.Vectors[5]);
        Assert.Equal(first.Vectors[0], first.Vectors[6]);
        Assert.All(first.Vectors.Where((_, i) => i != 5), v => Assert.Equal(bb.EmbeddingDim, v!.Length));
        Assert.Equal(5, cache.Count(bb.CacheKey, bb.Spec.Fingerprint()));

        // Second run: every good item comes from the cache, bit-identical; only the bad file is retried.
        var reports2 = new List<BatchProgress>();
        using var ex2 = new EmbeddingExtractor(bb, cache);
        var second = await ex2.ExtractAsync(items, new ListProgress(reports2));
        Assert.Equal(6, second.FromCache);
        Assert.Equal(1, reports2[^1].Total);
        for (int i = 0; i < items.Count; i++) Assert.Equal(first.Vectors[i], second.Vectors[i]);

        // Different images give different embeddings (the backbone is not degenerate).
        Assert.NotEqual(first.Vectors[0], first.Vectors[1]);
    }

    [Fact]
    public async Task CancelledExtraction_KeepsWhatWasComputed_AndEarlyExitDoesNotHang()
    {
        var bb = GeneratedBackbone.EnsureIn(_dir, size: 32);
        var rng = new Random(4);
        var items = Enumerable.Range(0, 8).Select(i =>
        {
            var p = Path.Combine(_dir, $"c{i}.png");
            ShapesDataset.WritePng(p, ShapesDataset.Draw(ShapesDataset.Classes[i % 4], 40, rng), 40);
            return new LabeledImage(p, $"c{i}", "x", Split.Train, $"c{i}");
        }).ToList();
        using var cache = new EmbeddingCache(Path.Combine(_dir, "cancel.db"));
        using var cts = new CancellationTokenSource();
        using (var ex = new EmbeddingExtractor(bb, cache, new OnnxRunnerOptions { BatchSize = 2 }))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                ex.ExtractAsync(items, new CancelOnFirst(cts), cts.Token));
        Assert.InRange(cache.Count(bb.CacheKey, bb.Spec.Fingerprint()), 2, 7);

        using var runner = new OnnxImageRunner(bb.OnnxPath, Backbone.OutputName, bb.Spec, new OnnxRunnerOptions { BatchSize = 1 });
        var early = Task.Run(async () =>
        {
            await foreach (var o in runner.RunFilesAsync(items.Select(i => i.Path).ToList())) return o;
            return null;
        });
        Assert.Same(early, await Task.WhenAny(early, Task.Delay(TimeSpan.FromSeconds(20))));
        Assert.Equal(0, (await early)!.Index);
    }

    private sealed class CancelOnFirst(CancellationTokenSource cts) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => cts.Cancel();
    }

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    private sealed class ListProgress(List<BatchProgress> into) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => into.Add(value);
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.Export;
using Lookout.Core.Inference;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Tests.TestData;
using Lookout.Core.Training;
using Lookout.Core.Embeddings;

namespace Lookout.Core.Tests.Training;

public class ExportParityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-export-").FullName;

    [Theory]
    [InlineData(0)]
    [InlineData(24)]
    public async Task ExportedOnnx_MatchesTorchHead_OnTheSameImages(int hidden)
    {
        var bb = GeneratedBackbone.EnsureIn(_dir, size: 48, seed: 9);
        var rng = new Random(2);
        var items = new List<LabeledImage>();
        for (int i = 0; i < 24; i++)
        {
            var label = ShapesDataset.Classes[i % 3];
            var p = Path.Combine(_dir, $"{i}.png");
            ShapesDataset.WritePng(p, ShapesDataset.Draw(label, 64, rng), 64);
            items.Add(new LabeledImage(p, "", label, Split.Train, p));
        }
        EmbeddingSet set;
        using (var ex = new EmbeddingExtractor(bb)) set = await ex.ExtractAsync(items);
        var x = set.Vectors.Select(v => v!).ToArray();
        string[] labels = ShapesDataset.Classes[..3];
        var y = items.Select(i => Array.IndexOf(labels, i.Label)).ToArray();
        var fit = HeadTrainer.Fit(new EmbeddingData(x, y), null, labels, new TrainOptions { Hidden = hidden, Epochs = 20 });

        var modelPath = Path.Combine(_dir, $"model{hidden}.onnx");
        ExportService.Export(bb, fit.Head, "run-x", modelPath);
        using var model = ClassifierModel.Load(modelPath);
        var onnx = new List<float[]>();
        await foreach (var r in model.ClassifyFilesAsync(items.Select(i => i.Path).ToList())) onnx.Add(r.Probabilities!);
        var torch = TorchHead.Probabilities(fit.Head, x);

        for (int i = 0; i < items.Count; i++)
            for (int c = 0; c < labels.Length; c++)
                Assert.True(Math.Abs(onnx[i][c] - torch[i][c]) <= 1e-5, $"item {i} class {c}: onnx {onnx[i][c]} torch {torch[i][c]}");

        var meta = OnnxReader.ReadMetadata(modelPath);
        Assert.Equal("[\"blue-square\",\"green-triangle\",\"red-circle\"]", meta[ModelMetadata.Labels]);
        Assert.Equal(bb.Spec, Lookout.Core.Imaging.PreprocessSpec.FromJson(meta[ModelMetadata.Preprocess]));
        Assert.Equal(bb.Id, meta[ModelMetadata.Backbone]);
        Assert.Equal("run-x", meta[ModelMetadata.Run]);
        Assert.False(string.IsNullOrEmpty(meta[ModelMetadata.Version]));
        var graph = OnnxReader.Load(modelPath).Graph;
        Assert.Equal(["probs", "embedding"], graph.Outputs.Select(o => o.Name)); // probs first; the embedding for "unknown"
        Assert.Equal(hidden > 0 ? 2 : 1, graph.Nodes.Count(n => n.OpType == "Gemm"));
    }

    [Fact]
    public void SplicedExport_IsTheDecodedBuild_WithTheBackboneBytesCopied()
    {
        var bb = GeneratedBackbone.EnsureIn(_dir, size: 32, seed: 4);
        var rng = new Random(3);
        int d = bb.EmbeddingDim;
        var head = new Lookout.Core.Models.Heads.HeadWeights(["a", "b", "c"], [.. Enumerable.Range(0, d).Select(_ => (float)rng.NextDouble())],
            [.. Enumerable.Range(0, d).Select(_ => 1f + (float)rng.NextDouble())],
            [new Lookout.Core.Models.Heads.DenseLayer(d, 3, [.. Enumerable.Range(0, 3 * d).Select(_ => (float)rng.NextDouble() - 0.5f)], [0.1f, 0.2f, 0.3f])]);
        var path = Path.Combine(_dir, "spliced.onnx");
        ExportService.Export(bb, head, "run-s", path);
        var spliced = OnnxReader.Load(path);
        var built = ExportService.Build(bb, head, "run-s");

        Assert.Equal(built.IrVersion, spliced.IrVersion);
        Assert.Equal(built.Opsets, spliced.Opsets);
        Assert.Equal(built.Metadata, spliced.Metadata);
        Assert.Equal(built.Graph.Name, spliced.Graph.Name);
        Assert.Equal(built.Graph.Inputs.Select(i => i.Name), spliced.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(["probs", "embedding"], spliced.Graph.Outputs.Select(o => o.Name));
        Assert.Equal(built.Graph.Nodes.Select(n => (n.OpType, string.Join(",", n.Inputs), string.Join(",", n.Outputs))),
            spliced.Graph.Nodes.Select(n => (n.OpType, string.Join(",", n.Inputs), string.Join(",", n.Outputs))));
        Assert.Equal(built.Graph.Initializers.Select(t => t.Name), spliced.Graph.Initializers.Select(t => t.Name));
        Assert.All(built.Graph.Initializers.Zip(spliced.Graph.Initializers), p => Assert.Equal(p.First.RawData, p.Second.RawData));
        Assert.Equal(spliced.Graph.Initializers.Count, spliced.Graph.Initializers.Select(t => t.Name).Distinct().Count());
        Assert.Superset(OnnxSplice.UsedNames(File.ReadAllBytes(bb.OnnxPath)), OnnxSplice.UsedNames(File.ReadAllBytes(path)));

        // ONNX Runtime runs it: same probabilities as the decoded build written the old way.
        var decodedPath = Path.Combine(_dir, "decoded.onnx");
        OnnxWriter.Save(built, decodedPath);
        using var a = ClassifierModel.Load(path);
        using var b = ClassifierModel.Load(decodedPath);
        var img = new Lookout.Core.Imaging.RgbImage(32, 32, [.. Enumerable.Range(0, 32 * 32 * 3).Select(i => (byte)(i * 7))]);
        Assert.Equal(b.Probabilities([img])[0], a.Probabilities([img])[0]);
    }

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }
}

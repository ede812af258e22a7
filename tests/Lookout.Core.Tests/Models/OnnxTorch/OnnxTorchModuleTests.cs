using Xunit.Abstractions;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Training.FineTuning;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Lookout.Core.Models.OnnxTorch;

namespace Lookout.Core.Tests.Models.OnnxTorch;

public class OnnxTorchModuleTests(ITestOutputHelper output)
{
    public static TheoryData<string> Graphs => new() { "mobile", "resize", "shapes", "extras", "legacy", "resnet" };

    internal static OnnxModel Graph(string name) => name switch
    {
        "mobile" => TestGraphs.MobileLike(),
        "resize" => TestGraphs.ResizeAndDense(),
        "shapes" => TestGraphs.Shapes(),
        "extras" => TestGraphs.Extras(),
        "legacy" => TestGraphs.Legacy(),
        "resnet" => TestGraphs.ResNetLike(),
        _ => throw new ArgumentException(name),
    };

    internal static (int H, int W) InputSize(OnnxModel m)
    {
        var shape = m.Graph.Inputs[0].Shape!;
        return ((int)shape[1].Value!.Value, (int)shape[2].Value!.Value);
    }

    internal static float[] RunOrt(OnnxModel model, byte[] pixels, int n, int h, int w)
    {
        using var session = new InferenceSession(OnnxWriter.Serialize(model));
        var input = new DenseTensor<byte>(pixels, [n, h, w, 3]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("image", input)]);
        return results.First(r => r.Name == "embedding").AsEnumerable<float>().ToArray();
    }

    internal static float[] RunTorch(OnnxTorchModule module, byte[] pixels, int n, int h, int w)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = torch.tensor(pixels, dtype: ScalarType.Byte).reshape(n, h, w, 3);
        return module.forward(x).data<float>().ToArray();
    }

    internal static double RelativeError(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxRef = 1e-12;
        for (int i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxDiff / maxRef;
    }

    [Theory]
    [MemberData(nameof(Graphs))]
    public void Forward_MatchesOnnxRuntime(string name)
    {
        var model = Graph(name);
        var (h, w) = InputSize(model);
        var pixels = TestGraphs.RandomPixels(3, h, w, seed: 7);
        using var module = new OnnxTorchModule(model);
        var expected = RunOrt(model, pixels, 3, h, w);
        var actual = RunTorch(module, pixels, 3, h, w);
        Assert.True(expected.Any(v => Math.Abs(v) > 1e-3), "reference output is degenerate");
        output.WriteLine($"{name}: relative error vs ORT {RelativeError(actual, expected):E2}");
        Assert.True(RelativeError(actual, expected) < 1e-4, $"{name}: relative error {RelativeError(actual, expected):E2}");
    }

    [Theory]
    [MemberData(nameof(Graphs))]
    public void Gradients_FlowToTrainableOnly(string name)
    {
        var model = Graph(name);
        var (h, w) = InputSize(model);
        var select = TrainableSelection.LastConvBlocks(model.Graph, 1);
        using var module = new OnnxTorchModule(model, select);
        Assert.NotEmpty(module.TrainableInitializers);
        Assert.DoesNotContain(module.TrainableInitializers, n => n.StartsWith("pre_", StringComparison.Ordinal));
        // Only the selected initializers are parameters; the frozen ones are buffers without grad.
        Assert.Equal(module.TrainableInitializers.Count, module.parameters().Count());
        Assert.All(module.buffers(), b => Assert.False(b.requires_grad));

        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(TestGraphs.RandomPixels(2, h, w, 3), dtype: ScalarType.Byte).reshape(2, h, w, 3);
        var y = module.forward(x);
        var loss = (y * y).sum();
        loss.backward();
        foreach (var (init, p) in module.TrainableParameters)
        {
            Assert.NotNull(p.grad);
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"zero grad for {init}");
        }
    }

    [Fact]
    public void LastConvBlocks_SelectsWeightsAfterTheCut()
    {
        var model = TestGraphs.MobileLike();
        var one = TrainableSelection.LastConvBlocks(model.Graph, 1);
        Assert.True(one("c3_w")); Assert.True(one("c3_b"));
        Assert.False(one("pw_w")); Assert.False(one("c1_w")); Assert.False(one("six"));
        var two = TrainableSelection.LastConvBlocks(model.Graph, 2);
        Assert.True(two("pw_w")); Assert.True(two("bn_scale")); Assert.False(two("dw_w"));
        var all = TrainableSelection.All(model.Graph);
        Assert.True(all("c1_w")); Assert.False(all("pre_scale")); Assert.False(all("zero")); Assert.False(all("scales"));
    }

    [Fact]
    public void LastConvBlocks_OnAResNet_TrainsBatchNormScaleAndBias_NotItsStatistics()
    {
        var model = TestGraphs.ResNetLike();
        var two = TrainableSelection.LastConvBlocks(model.Graph, 2);
        Assert.True(two("b2c2_w")); Assert.True(two("b2bn2_scale")); Assert.True(two("b2bn2_bias"));
        Assert.False(two("b2bn2_mean")); Assert.False(two("b2bn2_var"));
        Assert.False(two("stem_w")); Assert.False(two("b1bn1_scale"));
    }

    [Fact]
    public void ExportWeights_AfterATrainingStep_RunsInOrtAndMatchesTorch()
    {
        var model = TestGraphs.MobileLike();
        var (h, w) = InputSize(model);
        using var module = new OnnxTorchModule(model, TrainableSelection.LastConvBlocks(model.Graph, 2));
        var pixels = TestGraphs.RandomPixels(2, h, w, 11);
        var before = RunOrt(model, pixels, 2, h, w);
        using (var scope = torch.NewDisposeScope())
        {
            var x = torch.tensor(pixels, dtype: ScalarType.Byte).reshape(2, h, w, 3);
            var y = module.forward(x);
            (y * y).sum().backward();
            using var _ = torch.no_grad();
            foreach (var p in module.parameters()) p.sub_(p.grad! * 0.05);
        }
        var exported = OnnxReader.Parse(OnnxWriter.Serialize(module.ExportWeights()));
        Assert.Equal(model.Graph.Nodes.Count, exported.Graph.Nodes.Count);
        var ort = RunOrt(exported, pixels, 2, h, w);
        var torchOut = RunTorch(module, pixels, 2, h, w);
        Assert.True(RelativeError(torchOut, ort) < 1e-4, $"relative error {RelativeError(torchOut, ort):E2}");
        Assert.True(RelativeError(before, ort) > 1e-3, "the training step did not change the exported model");
        // Frozen initializers keep their bytes; trained ones changed.
        byte[] Raw(OnnxModel m, string n) => m.Graph.Initializers.First(t => t.Name == n).RawData;
        Assert.Equal(Raw(model, "c1_w"), Raw(exported, "c1_w"));
        Assert.NotEqual(Raw(model, "c3_w"), Raw(exported, "c3_w"));
    }

    [Fact]
    public void BFloat16Compute_IsCloseToFloat32_ReturnsFloat32_AndKeepsFloat32Gradients()
    {
        var model = TestGraphs.MobileLike();
        var (h, w) = InputSize(model);
        var pixels = TestGraphs.RandomPixels(2, h, w, 21);
        using var module = new OnnxTorchModule(model, TrainableSelection.LastConvBlocks(model.Graph, 2));
        var fp32 = RunTorch(module, pixels, 2, h, w);
        module.ComputeType = ScalarType.BFloat16;
        var bf16 = RunTorch(module, pixels, 2, h, w);
        double rel = RelativeError(bf16, fp32);
        output.WriteLine($"bf16 vs fp32 relative error {rel:E2}");
        Assert.InRange(rel, 1e-6, 5e-2); // really reduced precision, but close

        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(pixels, dtype: ScalarType.Byte).reshape(2, h, w, 3);
        var y = module.forward(x);
        Assert.Equal(ScalarType.Float32, y.dtype);
        (y * y).sum().backward();
        Assert.All(module.TrainableParameters.Values, p =>
        {
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
            Assert.True(p.grad.abs().sum().item<float>() > 0);
        });
        // A second run reuses the cached bf16 copies of frozen weights.
        Assert.Equal(bf16, RunTorch(module, pixels, 2, h, w));
    }

    [Fact]
    public void UnknownOp_IsReportedWithOpAndNode()
    {
        var b = new OnnxGraphBuilder();
        b.Input("image", OnnxDataType.Float, "N", 4);
        b.NodeNamed("Erfinv", ["image"], ["embedding"]);
        b.Output("embedding", OnnxDataType.Float, "N", 4);
        var e = Assert.Throws<LookoutException>(() => new OnnxTorchModule(new OnnxModel { Graph = b.Graph }));
        Assert.Contains("'Erfinv'", e.Message);
        Assert.Contains("Erfinv_node", e.Message);
    }
}

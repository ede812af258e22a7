using System.Diagnostics;
using Lookout.Core.Evaluation.Explain;
using Lookout.Core.Imaging;
using Lookout.Core.Tests.Models.TfJs;
using Lookout.Core.Training.FineTuning;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Lookout.Core.Models.OnnxTorch;

namespace Lookout.Core.Tests.Models.OnnxTorch;

/// <summary>The converted pretrained backbones run through the TorchSharp executor exactly as ONNX Runtime runs them.</summary>
[Collection(ConvertedModelsCollection.Name)]
public class RealBackboneParityTests(ConvertedModelsFixture models, ITestOutputHelper output)
{
    [Theory]
    [InlineData("centernet-backbone")]
    [InlineData("nanodet-backbone")]
    [InlineData("resnet18")]
    public void Embedding_MatchesOnnxRuntime_AndGradientsReachTheLastBlocks(string name)
    {
        var model = models.Get(name).Model;
        const int size = 224, batch = 2;
        var pixels = new byte[batch * size * size * 3];
        Goldens.Image(size).CopyTo(pixels, 0);
        new Random(4).NextBytes(pixels.AsSpan(size * size * 3));
        var expected = OnnxTorchModuleTests.RunOrt(model, pixels, batch, size, size);

        using var module = new OnnxTorchModule(model, TrainableSelection.LastConvBlocks(model.Graph, 2), "embedding");
        var sw = Stopwatch.StartNew();
        var actual = OnnxTorchModuleTests.RunTorch(module, pixels, batch, size, size);
        var forwardMs = sw.Elapsed.TotalMilliseconds;
        double rel = OnnxTorchModuleTests.RelativeError(actual, expected);
        output.WriteLine($"{name}: {module.Nodes.Count} nodes, {module.TrainableInitializers.Count} trainable tensors, " +
                         $"D={actual.Length / batch}, relative error vs ORT {rel:E2}, torch no-grad forward batch {batch}: {forwardMs:F0} ms");
        Assert.True(rel < 1e-3, $"relative error {rel:E2}");

        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(pixels, dtype: ScalarType.Byte).reshape(batch, size, size, 3);
        sw.Restart();
        var y = module.forward(x);
        (y * y).mean().backward();
        output.WriteLine($"{name}: forward+backward batch {batch}: {sw.Elapsed.TotalMilliseconds:F0} ms");
        Assert.All(module.TrainableParameters.Values, p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0));
    }

    [Theory]
    [InlineData("centernet-backbone")]
    [InlineData("resnet18")]
    public void GradCam_RunsOnAConvertedBackbone(string name)
    {
        var model = models.Get(name).Model;
        const int size = 224;
        var image = new RgbImage(size, size, Goldens.Image(size));
        var r = new Random(1);
        int dim = (int)model.Graph.Outputs.First(o => o.Name == "embedding").Shape![1].Value!.Value;
        var head = new LinearHead(3, dim, Enumerable.Range(0, 3 * dim).Select(_ => (float)r.NextDouble() - 0.5f).ToArray(), new float[3]);
        var map = GradCam.Compute(model, head, image, classIndex: 1);
        output.WriteLine($"{name} Grad-CAM target {map.TargetLayer}, score {map.Score:F3}");
        Assert.Equal((size, size), (map.Width, map.Height));
        Assert.Equal(GradCam.DefaultTargetLayer(model.Graph), map.TargetLayer);
        Assert.All(map.Values, v => Assert.InRange(v, 0f, 1f));
        Assert.True(map.Values.Max() > 0.99f);
    }
}

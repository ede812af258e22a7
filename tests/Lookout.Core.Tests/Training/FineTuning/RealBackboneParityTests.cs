using System.Diagnostics;
using Lookout.Core.Tests.Models.TfJs;
using Lookout.Core.Training.FineTuning;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Lookout.Core.Tests.Training.FineTuning;

/// <summary>The converted pretrained backbones run through the TorchSharp executor exactly as ONNX Runtime runs them.</summary>
[Collection(ConvertedModelsCollection.Name)]
public class RealBackboneParityTests(ConvertedModelsFixture models, ITestOutputHelper output)
{
    [Theory]
    [InlineData("centernet-backbone")]
    [InlineData("nanodet-backbone")]
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
}

using Lookout.Core.Imaging;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.ImageNet;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Tests.Models.TfJs;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace Lookout.Core.Tests.Models.ImageNet;

/// <summary>
/// The ImageNet ResNet-18 from NuGet (fetched by setup into the cache) as a Lookout backbone: same numbers as the
/// package's own two graphs chained the way ML.NET chains them, any batch size, catalog metadata.
/// </summary>
[Collection(ConvertedModelsCollection.Name)]
public class Resnet18Tests(ConvertedModelsFixture models, ITestOutputHelper output)
{
    private const int Size = 224;
    private static string PackageFile(string file) =>
        Path.Combine(((NuGetOnnxSource)KnownModels.Resnet18.Source).Folder(LookoutCache.Root()), file);

    private static byte[] Pixels(int n, int seed)
    {
        var p = new byte[n * Size * Size * 3];
        new Random(seed).NextBytes(p);
        return p;
    }

    private static float[] RunLookout(InferenceSession session, byte[] pixels, int n)
    {
        using var r = session.Run([NamedOnnxValue.CreateFromTensor("image", new DenseTensor<byte>(pixels, [n, Size, Size, 3]))]);
        return r.Single(v => v.Name == "embedding").AsEnumerable<float>().ToArray();
    }

    [Fact]
    public void Embedding_EqualsMlNetsPreprocessThenResNet18()
    {
        // ML.NET: ExtractPixels gives float planar R,G,B 0..255; ResNetPreprocess.onnx; then ResNet18.onnx.
        var pixels = Pixels(1, seed: 3);
        var planar = new float[3 * Size * Size];
        for (int i = 0; i < Size * Size; i++)
            for (int c = 0; c < 3; c++) planar[c * Size * Size + i] = pixels[i * 3 + c];
        using var prep = new InferenceSession(PackageFile("ResNetPreprocess.onnx"));
        using var net = new InferenceSession(PackageFile("ResNet18.onnx"));
        using var prepOut = prep.Run([NamedOnnxValue.CreateFromTensor("OriginalInput", new DenseTensor<float>(planar, [1, 3, Size, Size]))]);
        var normalised = prepOut.Single().AsTensor<float>().ToArray();
        using var netOut = net.Run([NamedOnnxValue.CreateFromTensor("Input247", new DenseTensor<float>(normalised, [1, 3, Size, Size]))]);
        var expected = netOut.Single().AsEnumerable<float>().ToArray();

        var actual = RunLookout(models.Get("resnet18").Session, pixels, 1);
        double rel = Rel(actual, expected);
        output.WriteLine($"resnet18 vs ML.NET's two graphs: relative error {rel:E2}, conversion {models.Get("resnet18").ConvertTime.TotalMilliseconds:F0} ms");
        Assert.Equal(512, actual.Length);
        Assert.True(expected.Max() > 0.1f, "reference output is degenerate");
        Assert.True(rel < 1e-5, $"relative error {rel:E2}");
    }

    [Fact]
    public void Batch32_EqualsBatch1()
    {
        const int n = 32;
        var pixels = Pixels(n, seed: 9);
        var session = models.Get("resnet18").Session;
        var batched = RunLookout(session, pixels, n);
        Assert.Equal(n * 512, batched.Length);
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            var one = RunLookout(session, pixels.AsSpan(i * Size * Size * 3, Size * Size * 3).ToArray(), 1);
            worst = Math.Max(worst, Rel(batched.AsSpan(i * 512, 512).ToArray(), one));
        }
        output.WriteLine($"batch 32 vs batch 1: worst relative difference {worst:E2}");
        Assert.True(worst < 1e-5, $"worst relative difference {worst:E2}");
        Assert.NotEqual(batched.AsSpan(0, 512).ToArray(), batched.AsSpan(512, 512).ToArray());
    }

    [Fact]
    public void CatalogEntry_IsALicenceCleanBackbone_WithTheSpecReadFromThePackage()
    {
        var entry = ModelCatalog.Get("resnet18");
        Assert.Equal(ModelTask.Backbone, entry.Task);
        Assert.True(entry.Licence.Clean);
        Assert.Equal("MIT", entry.Licence.Name);
        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", entry.SourceUrl);
        Assert.Contains("resnet18", BackboneResolver.Names);

        var prep = MeanImagePreprocess.Read(OnnxReader.Load(PackageFile("ResNetPreprocess.onnx")), "ResNetPreprocess.onnx");
        Assert.True(prep.Bgr);
        Assert.True(entry.Preprocess.Bgr);
        var networkMean = entry.Preprocess.Mean.Reverse().ToArray();
        var channelMeans = prep.ChannelMeans();
        for (int c = 0; c < 3; c++) Assert.InRange(channelMeans[c] - networkMean[c], -0.05, 0.05);

        var model = models.Get("resnet18").Model;
        Assert.Equal(17, model.DefaultOpset);
        Assert.Equal("image", model.Graph.Inputs.Single(i => model.Graph.Initializers.All(t => t.Name != i.Name)).Name);
        Assert.Equal("N", model.Graph.Inputs[0].Shape![0].Param);
        Assert.DoesNotContain(model.Graph.Nodes, n => n.Attribute("spatial") is not null);
        Assert.Equal("MIT", model.Metadata["lookout.licence"]);
    }

    [Fact]
    public void Importer_RefusesASpecThatDisagreesWithThePreprocessingGraph()
    {
        var prep = MeanImagePreprocess.Read(OnnxReader.Load(PackageFile("ResNetPreprocess.onnx")), "ResNetPreprocess.onnx");
        var net = OnnxReader.Load(PackageFile("ResNet18.onnx"));
        var spec = KnownModels.Resnet18.Preprocess;
        Assert.Contains("the spec says RGB", Assert.Throws<InvalidDataException>(() => MeanImageBackboneImporter.Build(net, prep, spec with { Bgr = false }, "x")).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => MeanImageBackboneImporter.Build(net, prep, spec with { Mean = [0, 0, 0] }, "x"));
        Assert.Throws<InvalidDataException>(() => MeanImageBackboneImporter.Build(net, prep, spec with { Std = [58f, 57f, 57f] }, "x"));
    }

    private static double Rel(float[] actual, float[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, max = 1e-12;
        for (int i = 0; i < expected.Length; i++) { diff = Math.Max(diff, Math.Abs(actual[i] - expected[i])); max = Math.Max(max, Math.Abs(expected[i])); }
        return diff / max;
    }
}

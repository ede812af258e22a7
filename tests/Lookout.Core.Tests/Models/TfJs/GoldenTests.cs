using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.TfJs;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace Lookout.Core.Tests.Models.TfJs;

/// <summary>
/// Converted ONNX models vs the original TF.js runtime on the same deterministic input. Tolerance: max abs error
/// relative to the tensor's largest magnitude below 1e-3 (fp32 in both; differences come from summation order).
/// </summary>
[Collection(ConvertedModelsCollection.Name)]
public class GoldenTests(ConvertedModelsFixture models, ITestOutputHelper output)
{
    private const double Tolerance = 1e-3;

    private void AssertClose(string what, float[] actual, float[] expected)
    {
        double err = Compare.MaxRelative(actual, expected);
        output.WriteLine($"{what}: max relative error {err:E2} over {expected.Length} values");
        Assert.True(err < Tolerance, $"{what}: max relative error {err:E3} exceeds {Tolerance:E0}");
    }

    [Fact]
    public void CenternetBackbone224_MatchesTfJsExtern1SpatialMean()
    {
        var golden = Goldens.Load("centernet-224")["tower_0/extern1/hard_swish/mul_1"];
        Assert.Equal([1, 7, 7, 480], golden.Shape);
        var outputs = models.Run("centernet-backbone", 224);
        Assert.Equal([1, 480], outputs["embedding"].Shape);
        AssertClose("centernet-backbone embedding", outputs["embedding"].Data, Compare.SpatialMean(golden, 3));
        output.WriteLine($"conversion took {models.Get("centernet-backbone").ConvertTime.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public void CenternetBackboneAtNative512_MatchesTfJsExtern1SpatialMean()
    {
        var golden = Goldens.Load("centernet-512")["tower_0/extern1/hard_swish/mul_1"];
        var entry = KnownModels.CenternetBackbone;
        var source = Path.Combine(LookoutCache.HumanModels(LookoutCache.Root()), entry.TfJsFile);
        var options = entry.ConversionOptions() with
        {
            InputHeight = 512, InputWidth = 512, Preprocess = entry.Preprocess with { Width = 512, Height = 512 },
        };
        using var session = new InferenceSession(OnnxWriter.Serialize(TfJsConverter.Convert(TfJsLoader.Load(source), options)));
        var input = new DenseTensor<byte>(Goldens.Image(512), [1, 512, 512, 3]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("image", input)]);
        AssertClose("centernet-backbone@512 embedding", results.Single().AsTensor<float>().ToArray(), Compare.SpatialMean(golden, 3));
    }

    [Fact]
    public void NanodetBackbone224_MatchesTfJsConcat62SpatialMean()
    {
        var golden = Goldens.Load("nanodet-224")["PartitionedCall/onnx_tf_prefix_Concat_62"];
        Assert.Equal([1, 512, 7, 7], golden.Shape);
        var outputs = models.Run("nanodet-backbone", 224);
        Assert.Equal([1, 512], outputs["embedding"].Shape);
        AssertClose("nanodet-backbone embedding", outputs["embedding"].Data, Compare.SpatialMean(golden, 1));
    }

    [Fact]
    public void CenternetDetector512_MatchesTfJs()
    {
        var golden = Goldens.Load("centernet-512");
        var outputs = models.Run("centernet", 512);
        AssertClose("centernet keypoints", outputs["keypoints"].Data, golden["tower_0/keypoints"].Data);
        AssertClose("centernet wh", outputs["wh"].Data, golden["tower_0/wh"].Data);
        var det = outputs["detections"].Data; var expected = golden["tower_0/detections"].Data;
        Assert.Equal([1, 100, 6], outputs["detections"].Shape);
        // Top-k order can swap near-equal scores, so compare the scores as sorted lists and the best row exactly.
        AssertClose("centernet detection scores", Column(det, 4), Column(expected, 4));
        AssertClose("centernet best detection", det[..6], expected[..6]);
    }

    [Fact]
    public void Nanodet416_MatchesTfJs()
    {
        var golden = Goldens.Load("nanodet-416");
        var outputs = models.Run("nanodet", 416);
        foreach (var (onnx, tf) in new[] { ("cls_s8", "Identity"), ("cls_s16", "Identity_1"), ("cls_s32", "Identity_2"),
                     ("reg_s8", "Identity_3"), ("reg_s16", "Identity_4"), ("reg_s32", "Identity_5") })
        {
            Assert.Equal(golden[tf].Shape, outputs[onnx].Shape);
            AssertClose($"nanodet {onnx}", outputs[onnx].Data, golden[tf].Data);
        }
    }

    [Fact]
    public void Blazeface256_MatchesTfJs()
    {
        var golden = Goldens.Load("blazeface-256");
        var outputs = models.Run("blazeface", 256);
        foreach (var (onnx, tf) in new[] { ("logits_s16", "Identity"), ("logits_s32", "Identity_1"),
                     ("regressors_s16", "Identity_2"), ("regressors_s32", "Identity_3") })
        {
            Assert.Equal(golden[tf].Shape, outputs[onnx].Shape);
            AssertClose($"blazeface {onnx}", outputs[onnx].Data, golden[tf].Data);
        }
    }

    [Fact]
    public void Faceres224_MatchesTfJs()
    {
        var golden = Goldens.Load("faceres-224");
        var outputs = models.Run("faceres", 224);
        AssertClose("faceres descriptor", outputs["descriptor"].Data, golden["global_pooling/Mean"].Data);
        AssertClose("faceres gender", outputs["gender"].Data, golden["gender_pred/Sigmoid"].Data);
        AssertClose("faceres age", outputs["age"].Data, golden["age_pred/Softmax"].Data);
    }

    [Theory]
    [InlineData("nanodet-backbone", 512)]
    [InlineData("centernet-backbone", 480)]
    public void Backbones_BatchOfTwo_EqualsTwoSingleRuns(string name, int dim)
    {
        var single = models.Run(name, 224)["embedding"].Data;
        var batch = models.Run(name, 224, batch: 2)["embedding"];
        Assert.Equal([2, dim], batch.Shape);
        AssertClose($"{name} batch row 0", batch.Data[..dim], single);
        AssertClose($"{name} batch row 1", batch.Data[dim..], single);
    }

    /// <summary>
    /// The watcher shares one forward pass between cameras, so a detector must take a batch: each row of a batch of
    /// three different images equals that image run alone (a Reshape pinned to batch 1 would mix or reject rows).
    /// </summary>
    [Theory]
    [InlineData("nanodet", 416)]
    [InlineData("blazeface", 256)]
    public void Detectors_BatchOfThreeDifferentImages_EqualsSingleRuns(string name, int size)
    {
        var one = Goldens.Image(size);
        byte[][] images = [one, one.Select(v => (byte)(255 - v)).ToArray(), one.Select((v, i) => (byte)(v ^ (i * 31))).ToArray()];
        var batch = models.Run(name, size, images);
        foreach (var (output, (shape, data)) in batch)
        {
            Assert.Equal(images.Length, shape[0]);
            int per = data.Length / images.Length;
            for (int i = 0; i < images.Length; i++)
                AssertClose($"{name} {output} batch row {i}", data[(i * per)..((i + 1) * per)], models.Run(name, size, [images[i]])[output].Data);
        }
    }

    [Fact]
    public void FullModels_SatisfyOutputInvariants()
    {
        var c = models.Run("centernet", 512);
        Assert.All(c["keypoints"].Data, v => Assert.InRange(v, 0f, 1f));
        var det = c["detections"].Data;
        var scores = Enumerable.Range(0, 100).Select(r => det[r * 6 + 4]).ToArray();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.All(Enumerable.Range(0, 100), r => Assert.True(det[r * 6 + 5] is >= 0 and <= 79 && det[r * 6 + 5] == MathF.Round(det[r * 6 + 5])));

        var f = models.Run("faceres", 224);
        Assert.All(f["descriptor"].Data, v => Assert.InRange(v, 0f, 6f));
        Assert.Equal(1.0, f["age"].Data.Sum(), 4);
    }

    private static float[] Column(float[] rows, int column) =>
        Enumerable.Range(0, rows.Length / 6).Select(r => rows[r * 6 + column]).OrderDescending().ToArray();
}

using Lookout.Core.Export;
using Lookout.Core.Imaging;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Heads;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.Quantization;
using Lookout.Core.Tests.TestData;

namespace Lookout.Core.Tests.Models.Quantization;

public class QdqQuantizerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-int8-").FullName;

    private static List<RgbImage> Images(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count)
            .Select(i => new RgbImage(64, 64, ShapesDataset.Draw(ShapesDataset.Classes[i % 4], 64, rng, randomColour: true))).ToList();
    }

    /// <summary>A classifier in the export contract: the generated conv backbone and a random 4-class head.</summary>
    private OnnxModel Classifier()
    {
        var bb = GeneratedBackbone.Write(Path.Combine(_dir, "bb.onnx"), 64, 5);
        var rng = new Random(3);
        int d = bb.EmbeddingDim, c = 4;
        var w = Enumerable.Range(0, d * c).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var head = new HeadWeights(ShapesDataset.Classes, new float[d], Enumerable.Repeat(1f, d).ToArray(), [new DenseLayer(d, c, w, new float[c])]);
        return ExportService.Build(bb, head, "int8-test");
    }

    private static float[][][] Run(string path, IReadOnlyList<RgbImage> images)
    {
        using var runner = new OnnxImageRunner(path, ModelMetadata.ProbsOutput, GeneratedBackbone.SpecFor(64));
        return runner.RunOutputs(images, [ModelMetadata.ProbsOutput, ModelMetadata.EmbeddingOutput]);
    }

    [Fact]
    public void Int8Model_StaysWithinToleranceOfFp32_OnImagesItWasNotCalibratedOn()
    {
        var fp32 = Classifier();
        var ranges = ActivationCalibrator.Collect(fp32, Images(32, seed: 1), QdqQuantizer.CalibrationTensors(fp32));
        Assert.Equal(32, ranges.Images);
        var int8 = QdqQuantizer.Quantize(fp32, ranges);
        var fp32Path = Path.Combine(_dir, "fp32.onnx");
        var int8Path = Path.Combine(_dir, "int8.onnx");
        OnnxWriter.Save(fp32, fp32Path);
        OnnxWriter.Save(int8, int8Path);

        var test = Images(40, seed: 2);
        var a = Run(fp32Path, test);
        var b = Run(int8Path, test);
        int agree = 0;
        double worstCosine = 1, worstProb = 0;
        for (int i = 0; i < test.Count; i++)
        {
            if (ArgMax(a[i][0]) == ArgMax(b[i][0])) agree++;
            worstProb = Math.Max(worstProb, a[i][0].Zip(b[i][0], (x, y) => Math.Abs(x - y)).Max());
            worstCosine = Math.Min(worstCosine, Cosine(a[i][1], b[i][1]));
        }
        // Quantization changes numbers (a model whose outputs equal fp32's was not quantized), but only a little.
        Assert.True(worstProb > 0, "int8 outputs are identical to fp32: nothing was quantized");
        Assert.True(worstCosine >= 0.99, $"embedding cosine fp32 vs int8 down to {worstCosine:0.0000}");
        Assert.True(worstProb <= 0.1, $"probabilities differ by up to {worstProb:0.000}");
        Assert.True(agree >= test.Count * 0.9, $"top class agrees on {agree}/{test.Count}");
    }

    [Fact]
    public void Quantize_ReplacesEveryConvWeightByInt8_KeepsInputsOutputsAndMarksPrecision()
    {
        var fp32 = Classifier();
        var tensors = QdqQuantizer.CalibrationTensors(fp32);
        var ranges = new ActivationRanges();
        foreach (var t in tensors) ranges.Set(t, new ValueRange(-1, 1));
        var int8 = QdqQuantizer.Quantize(fp32, ranges);

        int convs = fp32.Graph.Nodes.Count(n => n.OpType == "Conv");
        Assert.True(convs >= 3);
        var inits = int8.Graph.Initializers.ToDictionary(t => t.Name);
        foreach (var conv in int8.Graph.Nodes.Where(n => n.OpType == "Conv"))
        {
            var weightDq = int8.Graph.Nodes.Single(n => n.Outputs.Contains(conv.Inputs[1]));
            Assert.Equal("DequantizeLinear", weightDq.OpType);
            Assert.Equal(OnnxDataType.Int8, inits[weightDq.Inputs[0]].Type);
            Assert.Equal("DequantizeLinear", int8.Graph.Nodes.Single(n => n.Outputs.Contains(conv.Inputs[0])).OpType);
            Assert.Equal("QuantizeLinear", int8.Graph.Nodes.Single(n => n.Inputs.Contains(conv.Outputs[0])).OpType);
        }
        Assert.DoesNotContain(int8.Graph.Initializers, t => fp32.Graph.Nodes.Any(n => n.OpType == "Conv" && n.Inputs[1] == t.Name));
        Assert.Equal(fp32.Graph.Inputs.Select(i => i.Name), int8.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(fp32.Graph.Outputs.Select(i => i.Name), int8.Graph.Outputs.Select(i => i.Name));
        Assert.Equal(QdqQuantizer.Int8, int8.Metadata[ModelMetadata.Precision]);
        Assert.Equal(fp32.Metadata[ModelMetadata.Labels], int8.Metadata[ModelMetadata.Labels]);
        Assert.True(OnnxWriter.Serialize(int8).Length < OnnxWriter.Serialize(fp32).Length / 2, "int8 weights should shrink the file");
    }

    [Fact]
    public void ActivationQuant_CoversTheRangeAndZero_RoundTripWithinHalfAStep()
    {
        var q = ActivationQuant.From(new ValueRange(-0.5f, 6f));
        Assert.Equal(6.5f / 255, q.Scale, 6);
        Assert.Equal(0f, q.RoundTrip(0f));
        foreach (var x in new[] { -0.5f, -0.1f, 0.37f, 3.3f, 6f })
            Assert.True(Math.Abs(q.RoundTrip(x) - x) <= q.Scale / 2 + 1e-6, $"{x} -> {q.RoundTrip(x)}");
        Assert.Equal(0, ActivationQuant.From(new ValueRange(0.2f, 4f)).ZeroPoint); // a positive range still starts at 0 (ReLU outputs)
        Assert.Equal(4f, ActivationQuant.From(new ValueRange(0.2f, 4f)).RoundTrip(7f), 0.02f); // values past the range saturate at its end
    }

    [Fact]
    public void WeightQuant_PerChannelSymmetric_AndBiasAtTheProductScale()
    {
        float[] w = [1f, -0.5f, 0.25f, 0.01f, 0.03f, -0.04f];
        var (q, scales) = WeightQuant.PerChannel(w, 2);
        Assert.Equal([1f / 127, 0.04f / 127], scales);
        Assert.Equal(new sbyte[] { 127, -64, 32, 32, 95, -127 }, q);
        var (bq, bScales) = WeightQuant.Bias([0.5f, -1f], 0.1f, scales);
        Assert.Equal(0.1f * scales[1], bScales[1]);
        Assert.Equal((int)Math.Round(0.5 / (0.1f * scales[0])), bq[0]);
    }

    private static int ArgMax(float[] v) => Array.IndexOf(v, v.Max());

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb + 1e-30);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

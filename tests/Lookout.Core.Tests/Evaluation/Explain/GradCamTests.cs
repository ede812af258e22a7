using Lookout.Core.Evaluation.Explain;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Tests.Training.FineTuning;
using Lookout.Core.Training.FineTuning;
using NetVips;

namespace Lookout.Core.Tests.Evaluation.Explain;

public sealed class GradCamTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "lookout-gradcam-" + Guid.NewGuid().ToString("N"));

    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true); }

    /// <summary>
    /// A constructed classifier: stride-2 conv computing "redness" (R-B) and "blueness" (B-R), ReLU, a mixing 1x1 conv,
    /// global average pool, Gemm head, Softmax "probs". Class 0 = red object present, class 1 = blue.
    /// </summary>
    private static OnnxModel ColourClassifier(int size)
    {
        var b = new OnnxGraphBuilder();
        var spec = new PreprocessSpec { Width = size, Height = size, Mean = [128, 128, 128], Std = [64, 64, 64] };
        var x = ImageInputPrologue.Append(b, spec);
        var w1 = new float[2 * 3 * 3 * 3];
        for (int k = 0; k < 9; k++) { w1[0 * 27 + 0 * 9 + k] = 1f / 9; w1[0 * 27 + 2 * 9 + k] = -1f / 9; w1[1 * 27 + 2 * 9 + k] = 1f / 9; w1[1 * 27 + 0 * 9 + k] = -1f / 9; }
        x = b.Node("Conv", [x, b.Floats("c1_w", w1, 2, 3, 3, 3), b.Floats("c1_b", [-0.5f, -0.5f], 2)],
            OnnxAttribute.Of("strides", 2L, 2L), OnnxAttribute.Of("pads", 0L, 0L, 1L, 1L));
        x = b.Node("Relu", [x]);
        x = b.Node("Conv", [x, b.Floats("c2_w", [1f, 0f, 0f, 1f], 2, 2, 1, 1)]);
        x = b.Node("Relu", [x]);
        var pooled = b.Node("GlobalAveragePool", [x]);
        var emb = b.Node("Flatten", [pooled], OnnxAttribute.Of("axis", 1L));
        var logits = b.Node("Gemm", [emb, b.Floats("head_w", [4f, 0f, 0f, 4f], 2, 2), b.Floats("head_b", [0f, 0f], 2)], OnnxAttribute.Of("transB", 1L));
        b.NodeNamed("Softmax", [logits], ["probs"], OnnxAttribute.Of("axis", -1L));
        b.Output("probs", OnnxDataType.Float, "N", 2);
        return new OnnxModel { Graph = b.Graph };
    }

    private static int Quadrant(int x, int y, int size) => (x >= size / 2 ? 1 : 0) + (y >= size / 2 ? 2 : 0);

    [Theory]
    [InlineData(24, 6, 5)]    // top-left
    [InlineData(24, 18, 6)]   // top-right
    [InlineData(24, 17, 18)]  // bottom-right
    public void ConstructedClassifier_PeakIsOnTheDecisiveObject(int size, int cx, int cy)
    {
        var model = ColourClassifier(size);
        var image = TinyTask.Blob(size, cx, cy, red: true, new Random(1));
        var map = GradCam.Compute(model, image, classIndex: 0);
        Assert.Equal((size, size), (map.Width, map.Height));
        Assert.Equal(1f, map.Values.Max(), 3);
        Assert.True(map.Values.Min() >= 0);
        var (px, py) = map.Peak();
        Assert.Equal(Quadrant(cx, cy, size), Quadrant(px, py, size));
        Assert.True(Math.Abs(px - cx) <= 3 && Math.Abs(py - cy) <= 3, $"peak ({px},{py}) vs object ({cx},{cy})");
        // Default target: the map feeding the global pool (second Relu), and the logits (not probs) are explained.
        Assert.Equal(model.Graph.Nodes.First(n => n.OpType == "GlobalAveragePool").Inputs[0], map.TargetLayer);
        // The blue class has no evidence in a red-only image.
        Assert.Equal(0f, GradCam.Compute(model, image, classIndex: 1).Values.Max());
    }

    [Fact]
    public void ExplicitTargetLayer_IsUsed_AndUnknownOnesAreReported()
    {
        var model = ColourClassifier(24);
        var image = TinyTask.Blob(24, 18, 18, red: true, new Random(3));
        var firstRelu = model.Graph.Nodes.First(n => n.OpType == "Relu").Outputs[0];
        var map = GradCam.Compute(model, image, 0, firstRelu);
        Assert.Equal(firstRelu, map.TargetLayer);
        Assert.Equal(3, Quadrant(map.Peak().X, map.Peak().Y, 24));
        Assert.Contains("'nope'", Assert.Throws<LookoutException>(() => GradCam.Compute(model, image, 0, "nope")).Message);
        Assert.Contains("out of range", Assert.Throws<LookoutException>(() => GradCam.Compute(model, image, 7)).Message);
    }

    [Fact]
    public void FineTunedModel_AttendsToTheObjectsQuadrant()
    {
        const int size = 16;
        var backbone = TinyTask.Backbone(size);
        var dir = Path.Combine(_dir, "ft");
        var result = new FineTuneTrainer(backbone, new FineTuneOptions
        {
            Epochs = 6, BatchSize = 8, TrainableBlocks = 2, BackboneLearningRate = 3e-3, HeadLearningRate = 3e-2, Patience = 0, Seed = 3,
        }).Train(TinyTask.Data(48, size, 1), TinyTask.Data(16, size, 2), 2, dir);
        Assert.True(result.History[^1].ValAccuracy >= 0.9, $"val accuracy {result.History[^1].ValAccuracy}");

        int hits = 0, total = 0;
        var r = new Random(9);
        foreach (var (cx, cy) in new[] { (4, 4), (12, 4), (4, 12), (12, 12) })
        {
            foreach (var red in new[] { true, false })
            {
                var image = TinyTask.Blob(size, cx, cy, red, r);
                var map = GradCam.Compute(result.Backbone, result.Head, image, classIndex: red ? 0 : 1);
                var (px, py) = map.Peak();
                total++;
                if (Quadrant(px, py, size) == Quadrant(cx, cy, size)) hits++;
            }
        }
        Assert.True(hits >= total - 1, $"peak in the object's quadrant for {hits}/{total} images");
    }

    [Fact]
    public void Overlay_IsAPngOfTheImageSize_HotWhereTheMapIsHot()
    {
        var image = TinyTask.Blob(24, 6, 5, red: true, new Random(2));
        var map = GradCam.Compute(ColourClassifier(24), image, 0);
        var path = Path.Combine(_dir, "cam.png");
        HeatmapOverlay.SavePng(image, map, path);
        using var png = Image.NewFromFile(path);
        Assert.Equal((24, 24, 3), (png.Width, png.Height, png.Bands));
        var blended = HeatmapOverlay.Blend(image, map);
        var (hx, hy) = map.Peak();
        var hot = blended.Pixels.AsSpan((hy * 24 + hx) * 3, 3).ToArray();
        Assert.True(hot[0] > hot[2], "the peak is rendered red-ish");
        Assert.Equal((byte)0, HeatmapOverlay.Jet(0f).R);
        Assert.Equal((byte)255, HeatmapOverlay.Jet(0.75f).R);
        Assert.True(HeatmapOverlay.Jet(1f).R > HeatmapOverlay.Jet(1f).G);
        Assert.Equal((byte)0, HeatmapOverlay.Jet(1f).B);
    }
}

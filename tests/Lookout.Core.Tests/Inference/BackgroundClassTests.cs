using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models.Onnx;
using Lookout.TestSupport;

namespace Lookout.Core.Tests.Inference;

/// <summary>"None of these" (<c>_none</c>) is a label like any other in the model, and the answer "unknown" when it wins.</summary>
public class BackgroundClassTests
{
    private static readonly PreprocessSpec Spec = new() { Width = 8, Height = 8, Resize = ResizeMode.Stretch };

    private static RgbImage Solid(byte r, byte g, byte b)
    {
        var px = new byte[8 * 8 * 3];
        for (int i = 0; i < px.Length; i += 3) { px[i] = r; px[i + 1] = g; px[i + 2] = b; }
        return new RgbImage(8, 8, px);
    }

    [Fact]
    public void TheBackgroundClassWinning_IsUnknown_WithOrWithoutThresholds_OtherClassesAreAnswered()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-none-").FullName;
        string[] labels = [BackgroundClass.Label, "green", "red"];
        // R -> red, G -> green, B -> "none of these".
        float[] w = [0, 0, 8, /* G */ 0, 8, 0, /* B */ 8, 0, 0];
        var plain = Path.Combine(dir, "plain.onnx");
        OnnxWriter.Save(MeanColourClassifier.Build(labels, Spec, w, [0, 0, 0]), plain);
        var calibrated = Path.Combine(dir, "calibrated.onnx");
        OnnxWriter.Save(MeanColourClassifier.Build(labels, Spec, w, [0, 0, 0],
            MeanColourClassifier.Thresholds(labels, [[0, 0, 1], [0, 1, 0], [1, 0, 0]], min: 0.5f)), calibrated);
        foreach (var path in new[] { plain, calibrated })
        {
            using var model = ClassifierModel.Load(path);
            var blue = model.ClassifyImage(Solid(0, 0, 250));
            Assert.True(blue.Unknown);
            Assert.Equal("unknown", blue.Label);
            Assert.Equal(BackgroundClass.DisplayName, blue.Rejection!.Reason);
            Assert.Equal(BackgroundClass.Label, blue.Top!.Label);
            var red = model.ClassifyImage(Solid(250, 0, 0));
            Assert.False(red.Unknown);
            Assert.Equal("red", red.Label);
        }
        Directory.Delete(dir, true);
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.Evaluation.Robustness;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models.Onnx;
using Lookout.TestSupport;
using Lookout.Core.Tests.TestData;

namespace Lookout.Core.Tests.Evaluation.Robustness;

public sealed class RobustnessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-robust-").FullName;
    private static readonly string[] Labels = ["red", "green", "blue"];
    private static readonly PreprocessSpec Spec = new() { Width = 16, Height = 16, Resize = ResizeMode.Stretch, Mean = [0, 0, 0], Std = [255, 255, 255] };

    private static RgbImage Solid(int w, int h, byte r, byte g, byte b)
    {
        var px = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) { px[i * 3] = r; px[i * 3 + 1] = g; px[i * 3 + 2] = b; }
        return new RgbImage(w, h, px);
    }

    [Fact]
    public void Corruptions_DoWhatTheySay()
    {
        var img = new RgbImage(3, 3, [.. Enumerable.Range(0, 27).Select(i => (byte)(i * 9))]);
        var r90 = Corruptions.Rotate(img, 90);
        // Output (x=2, y=0) comes from source (x=0, y=0) for a 90-degree turn about the centre.
        Assert.Equal(img.Pixels[0], r90.Pixels[(0 * 3 + 2) * 3]);
        Assert.Equal(img.Pixels[(1 * 3 + 1) * 3], r90.Pixels[(1 * 3 + 1) * 3]); // the centre stays
        var flat = Solid(8, 8, 100, 150, 200);
        Assert.Equal(flat.Pixels, Corruptions.Blur(flat, 2).Pixels);
        Assert.All(Corruptions.Contrast(flat, 0).Pixels, p => Assert.Equal(150, p));
        Assert.Equal(Corruptions.Noise(flat, 20, 3).Pixels, Corruptions.Noise(flat, 20, 3).Pixels);
        Assert.NotEqual(Corruptions.Noise(flat, 20, 3).Pixels, Corruptions.Noise(flat, 20, 4).Pixels);
        Assert.All(Corruptions.Standard, c => Assert.Equal(flat.Pixels, c.Apply(flat, c.Levels[0], 0).Pixels));
    }

    [Fact]
    public async Task Evaluator_FindsWhereTheModelBreaks_AndRendersDataAndPlot()
    {
        // A mean-colour classifier: brightening the yellowish green saturates red and green equally, so it flips.
        var modelPath = Path.Combine(_dir, "m.onnx");
        var w = new float[9]; for (int i = 0; i < 3; i++) w[i * 3 + i] = 8f;
        OnnxWriter.Save(MeanColourClassifier.Build(Labels, Spec, w, [0, 0, 0]), modelPath);
        var items = new List<LabeledImage>();
        (string Label, byte R, byte G, byte B)[] colours = [("red", 200, 60, 60), ("green", 180, 200, 40), ("blue", 60, 60, 200)];
        foreach (var (label, r, g, b) in colours)
            for (int k = 0; k < 4; k++)
            {
                var path = Path.Combine(_dir, $"{label}{k}.png");
                ShapesDataset.WritePng(path, Solid(16, 16, r, g, b).Pixels, 16);
                items.Add(new LabeledImage(path, $"{label}{k}", label, Split.Test, $"{label}{k}"));
            }
        using var model = ClassifierModel.Load(modelPath);
        var report = await RobustnessEvaluator.EvaluateAsync(model, items);
        Assert.Equal(12, report.Images);
        Assert.Equal(["brightness", "contrast", "blur", "noise", "jpeg", "rotation"], report.Curves.Select(c => c.Corruption));
        Assert.All(report.Curves, c => Assert.Equal(1.0, c.Points[0].Accuracy));
        var brightness = report.Curves[0];
        Assert.Equal(8, brightness.Points.Single(p => p.Level == 2.0).Correct);
        Assert.Equal("brightness", report.Drops().First().Corruption);

        RobustnessOutput.Save(report, _dir);
        var back = RobustnessOutput.FromJson(File.ReadAllText(Path.Combine(_dir, RobustnessReport.JsonFile)))!;
        Assert.Equal(report.Curves.Count, back.Curves.Count);
        Assert.Equal(8, back.Curves[0].Points.Single(p => p.Level == 2.0).Correct);
        var png = File.ReadAllBytes(Path.Combine(_dir, RobustnessReport.PngFile));
        Assert.Equal((byte)0x89, png[0]);
        var (pw, ph) = ImageLoader.ReadSize(Path.Combine(_dir, RobustnessReport.PngFile));
        Assert.Equal((960, 440), (pw, ph));
        Assert.Contains("breaks most under brightness", RobustnessOutput.Table(report));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models.Onnx;
using Lookout.TestSupport;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Import;
using Lookout.Core.Studio.Walkthroughs;
using Lookout.Core.Tests.Video;

namespace Lookout.Core.Tests.Studio;

public class WalkthroughTests
{
    [Fact]
    public void Smoothing_SwitchesOnlyAfterAClassPersisted()
    {
        var raw = new[] { "a", "a", "a", "b", "a", "a", "b", "b", "b", "b" };
        Assert.Equal(["unknown", "unknown", "a", "a", "a", "a", "a", "a", "b", "b"], WalkthroughEvaluator.Smooth(raw, 3));
        Assert.Equal(raw, WalkthroughEvaluator.Smooth(raw, 1));
    }

    [Fact]
    public void Score_CountsOnlyFramesInsideSegments_AndNoneOfTheseWantsUnknown()
    {
        var frames = new List<(long, string, float)> { (0, "a", 1), (500, "a", 1), (1000, "b", 1), (1500, "a", 1), (2000, "unknown", 1), (2500, "b", 1), (9000, "a", 1) };
        var segments = new[] { new TimeSegment(0, 2000, "a"), new TimeSegment(2000, 3000, null) };
        var e = WalkthroughEvaluator.Score("m", frames, segments, persist: 2);
        Assert.Equal(7, e.Frames);
        Assert.Equal(6, e.Scored);
        Assert.Equal(4 / 6.0, e.Accuracy, 6);              // a,a,b(wrong),a + unknown(right) + b(wrong)
        Assert.Equal(["unknown", "a", "a", "a", "a", "a", "a"], e.Timeline.Select(f => f.Smoothed));
        Assert.Equal(3 / 6.0, e.SmoothedAccuracy, 6);     // smoothing hides the flicker but is late and never says unknown here
        var none = e.PerClass.Single(c => c.Label is null);
        Assert.Equal((2, 0.5), (none.Frames, none.Accuracy));
    }

    [Fact]
    public async Task AWalkthroughVideo_IsKeptOutOfTheData_SegmentsAreValidated_AndTheModelIsScoredPerFrame()
    {
        using var kit = new StudioTestKit("red", "green");
        var red = Solid(230, 20, 20);
        var green = Solid(20, 230, 20);
        var grey = Solid(128, 128, 128);
        var clip = await TestClips.WriteAsync(Path.Combine(kit.Root, "walk.webm"), 10, (red, 2), (grey, 1), (green, 2));
        var w = await WalkthroughStore.AddAsync(kit.Project, File.OpenRead(clip), "walk.webm", new UploadLimits());
        Assert.InRange(w.DurationMs, 4500, 5600);
        Assert.Empty(kit.Project.Datasets.Items()); // never training data

        await Assert.ThrowsAsync<StudioException>(() => WalkthroughStore.SaveSegmentsAsync(kit.Project, w.Id, [new(0, 2000, "red"), new(1500, 2500, "green")]));
        await Assert.ThrowsAsync<StudioException>(() => WalkthroughStore.SaveSegmentsAsync(kit.Project, w.Id, [new(0, 2000, "cat")]));
        w = await WalkthroughStore.SaveSegmentsAsync(kit.Project, w.Id, [new(3000, 5000, "green"), new(0, 2000, "red"), new(2000, 3000, null)]);
        Assert.Equal([0L, 2000, 3000], w.Segments.Select(s => s.StartMs));

        var spec = new PreprocessSpec { Width = 8, Height = 8, Resize = ResizeMode.Stretch };
        var onnx = Path.Combine(kit.Root, "colours.onnx");
        OnnxWriter.Save(MeanColourClassifier.Build(["red", "green"], spec, [8, 0, 0, 8, 0, 0], [0, 0]), onnx);
        using var model = ClassifierModel.Load(onnx);
        var e = await WalkthroughEvaluator.EvaluateAsync(model, WalkthroughStore.PathOf(kit.Project, w), w.Segments);
        Assert.InRange(e.Frames, 9, 11);
        var perClass = e.PerClass.ToDictionary(c => c.Label ?? "none");
        Assert.Equal(1.0, perClass["red"].Accuracy);
        Assert.Equal(1.0, perClass["green"].Accuracy);
        Assert.Equal(0.0, perClass["none"].Accuracy); // an uncalibrated model never answers "unknown": honest 0
        Assert.True(perClass["green"].Smoothed < 1.0, "smoothing needs a few frames to switch from red to green");
    }

    private static RgbImage Solid(byte r, byte g, byte b) =>
        new(64, 48, Enumerable.Range(0, 64 * 48 * 3).Select(i => (i % 3) switch { 0 => r, 1 => g, _ => b }).ToArray());
}

using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Video;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Alerts;
using Lookout.Core.Watch.Sources;

namespace Lookout.Core.Tests.Video;

public class AnalyzerTests
{
    private sealed class FixedDetector(params Detection[] boxes) : IObjectDetector
    {
        public string Name => "fixed";
        public IReadOnlyList<string> Labels => ["person", "cat"];
        public IReadOnlyList<Detection> Detect(RgbImage frame) => boxes;
        public void Dispose() { }
    }

    [Fact]
    public void Composite_MergesClassifierAndDetector()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-analyzer").FullName;
        try
        {
            var box = new BoxF(0.1f, 0.1f, 0.5f, 0.5f);
            using var both = new CompositeFrameAnalyzer([
                ClassifierFrameAnalyzer.Load(TinyClassifier.Build(Path.Combine(dir, "t.onnx"))),
                new DetectorFrameAnalyzer(new FixedDetector(new("cat", 0.1f, box), new("person", 0.8f, box)), minScore: 0.2f),
            ]);
            Assert.Equal(AnalyzerKinds.Classifier | AnalyzerKinds.Detector, both.Kinds);
            Assert.Equal(["person", "cat", "background"], both.Labels);
            var a = both.Analyze(Scenes.Frame(64, 48, Scenes.PersonRed));
            Assert.Equal("person", a.Top!.Label);
            Assert.Equal(3, a.Predictions.Count);
            Assert.Equal("person", Assert.Single(a.Detections).Label);      // the weak cat box is filtered
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void FrameSampler_PicksOneFramePerTick()
    {
        var sampler = new FrameSampler(2);
        var picked = Enumerable.Range(0, 30).Select(i => TimeSpan.FromSeconds(i / 10.0)).Where(sampler.ShouldAnalyse).Select(t => t.TotalSeconds);
        Assert.Equal([0.0, 0.5, 1.0, 1.5, 2.0, 2.5], picked);
        Assert.True(new FrameSampler(null).ShouldAnalyse(TimeSpan.Zero));
    }

    [Fact]
    public void TextObserver_WritesReadableLines()
    {
        var w = new StringWriter();
        var o = new TextWatchObserver(w);
        o.OnSource(new SourceStatus("rtsp://cam", SourceState.Disconnected, "Connection refused", TimeSpan.FromSeconds(2)));
        o.OnAlert(new AlertEvent("id", "porch", "stranger", "person", 0.87f, 0.9f, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(12.3), 123, null, "/e/s.jpg"),
            [new ActionOutcome("snapshot", true), new ActionOutcome("mqtt", false, "broker down")]);
        var text = w.ToString();
        Assert.Contains("source rtsp://cam: disconnected (Connection refused); retrying in 2 s", text);
        Assert.Contains("alert stranger: person 0.87 on porch at 12.3 s [snapshot, mqtt FAILED (broker down)] /e/s.jpg", text);
    }

    /// <summary>"Is it Mila?": a calibrated model says unknown for what it does not know, so class rules cannot fire on it.</summary>
    [Fact]
    public void CalibratedClassifier_RejectedFrameIsOnlyUnknown_KnownFrameKeepsItsClasses()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-analyzer").FullName;
        try
        {
            using var analyzer = ClassifierFrameAnalyzer.Load(TinyClassifier.Build(Path.Combine(dir, "t.onnx"), calibrated: true));
            Assert.Contains("unknown", analyzer.Labels);

            // Blue is none of person (red), cat (green), background (grey): the model would still pick a class.
            var blue = analyzer.Analyze(Scenes.Frame(64, 48, (20, 20, 230), side: 1.0));
            var only = Assert.Single(blue.Predictions);
            Assert.Equal("unknown", only.Label);
            Assert.Equal(0f, blue.ScoreOf("person"));

            var red = analyzer.Analyze(Scenes.Frame(64, 48, Scenes.PersonRed, side: 1.0));
            Assert.Equal("person", red.Top!.Label);
            Assert.Equal(3, red.Predictions.Count);
        }
        finally { Directory.Delete(dir, true); }
    }
}

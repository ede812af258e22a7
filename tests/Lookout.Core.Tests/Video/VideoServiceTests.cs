using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Video;
using Lookout.Core.Video.Analysis;
using NetVips;
using Lookout.Core.Inference;

namespace Lookout.Core.Tests.Video;

public class VideoServiceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-videosvc").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private IFrameAnalyzer Analyzer() =>
        ClassifierFrameAnalyzer.Load(TinyClassifier.Build(Path.Combine(_dir, "tiny.onnx")));

    /// <summary>2 s grey, 3 s person, 1 s grey, 2 s cat at 10 fps, 96x64.</summary>
    private Task<string> Clip() => TestClips.WriteAsync(Path.Combine(_dir, "scene.mp4"), 10,
        (Scenes.Frame(96, 64), 2), (Scenes.Frame(96, 64, Scenes.PersonRed), 3), (Scenes.Frame(96, 64), 1), (Scenes.Frame(96, 64, Scenes.CatGreen), 2));

    [Fact]
    public async Task Timeline_Segments_AndAllOutputs()
    {
        var clip = await Clip();
        using var analyzer = Analyzer();
        var options = new VideoOptions
        {
            SampleFps = 2, TopK = 2,
            TimelineJsonPath = Path.Combine(_dir, "out", "t.json"), TimelineCsvPath = Path.Combine(_dir, "out", "t.csv"),
            AnnotatedVideoPath = Path.Combine(_dir, "out", "annotated.mp4"), ContactSheetPath = Path.Combine(_dir, "out", "sheet.png"),
            ContactSheetCount = 6, ContactSheetColumns = 3,
        };
        var reports = new List<VideoProgress>();
        var report = await new VideoService().RunAsync(clip, analyzer, options, new SyncProgress<VideoProgress>(reports.Add));

        Assert.Equal(16, report.Timeline.Count);                       // 8 s at 2 fps
        Assert.Equal(80, report.FramesDecoded);                        // annotated video keeps every frame
        Assert.All(report.Timeline, e => Assert.Equal(2, e.Top.Count));
        var segs = report.Segments.Select(s => (s.Label, s.Start.TotalSeconds, s.End.TotalSeconds)).ToList();
        Assert.Equal([("background", 0.0, 2.0), ("person", 2.0, 5.0), ("background", 5.0, 6.0), ("cat", 6.0, 8.0)], segs);

        using (var doc = JsonDocument.Parse(File.ReadAllText(options.TimelineJsonPath)))
        {
            Assert.Equal(16, doc.RootElement.GetProperty("frames").GetArrayLength());
            Assert.Equal("person", doc.RootElement.GetProperty("segments")[1].GetProperty("label").GetString());
        }
        var csv = File.ReadAllLines(options.TimelineCsvPath);
        Assert.Equal("time,seq,label_1,score_1,label_2,score_2,detections", csv[0]);
        Assert.StartsWith("2.5,25,person,", csv[6]);

        await using (var reader = await FfmpegFrameReader.OpenAsync(options.AnnotatedVideoPath, new FrameReaderOptions { FramesPerSecond = null }))
        {
            var frames = new List<Frame>();
            await foreach (var f in reader.ReadFramesAsync()) frames.Add(f);
            Assert.Equal(80, frames.Count);
            // The caption band (black box with white text) is burned into the top-left corner.
            var px = frames[30].Pixels.Pixels;
            Assert.True(px[0] < 40 && px[1] < 40 && px[2] < 40, "caption background missing");
        }
        using (var sheet = Image.NewFromFile(options.ContactSheetPath))
        {
            Assert.True(sheet.Width > 3 * 96 && sheet.Height > 64, $"sheet is {sheet.Width}x{sheet.Height}");
        }
        Assert.Equal(80, reports[^1].Done);
        Assert.Equal(TimeSpan.Zero, reports[^1].Eta);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "out"), ".*"));   // no temp files left behind
    }

    [Fact]
    public async Task FrameScores_MatchClassifyingTheSameFrameAsAnImage()
    {
        var clip = await Clip();
        using var classifier = ClassifierModel.Load(TinyClassifier.Build(Path.Combine(_dir, "tiny.onnx")));
        using var analyzer = new ClassifierFrameAnalyzer(classifier, ownsModel: false);
        var report = await new VideoService().RunAsync(clip, analyzer, new VideoOptions { SampleFps = 1 });

        // Decode the same frames independently, save each as PNG and classify the file through the image path.
        await using var reader = await FfmpegFrameReader.OpenAsync(clip, new FrameReaderOptions { FramesPerSecond = 1, MaxSide = 1280 });
        int i = 0;
        await foreach (var frame in reader.ReadFramesAsync())
        {
            var png = Path.Combine(_dir, $"f{i}.png");
            File.WriteAllBytes(png, FrameFitter.Encode(frame.Pixels, ".png"));
            var fromFile = ImageLoader.Load(png, classifier.Spec);
            Assert.Equal(FrameFitter.Fit(frame.Pixels, classifier.Spec).Pixels, fromFile.Pixels);
            var expected = classifier.Classify(fromFile, top: 3);
            Assert.Equal(expected, report.Timeline[i].Top);
            i++;
        }
        Assert.Equal(8, i);
    }

    [Fact]
    public async Task NotAVideo_IsAClearError()
    {
        var bogus = Path.Combine(_dir, "x.mp4");
        File.WriteAllText(bogus, "hello");
        using var analyzer = Analyzer();
        var e = await Assert.ThrowsAsync<VideoException>(() => new VideoService().RunAsync(bogus, analyzer, new VideoOptions()));
        Assert.Contains("not a readable video", e.Message);
    }
}

/// <summary>IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool, racing the asserts).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

public class VideoServiceCancelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-videocancel").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Cancelling_LeavesNoPartialOutputs()
    {
        var clip = await TestClips.WriteAsync(Path.Combine(_dir, "long.mp4"), 10, (Scenes.Frame(96, 64), 6));
        using var analyzer = ClassifierFrameAnalyzer.Load(TinyClassifier.Build(Path.Combine(_dir, "tiny.onnx")));
        var outDir = Path.Combine(_dir, "out");
        using var cts = new CancellationTokenSource();
        var options = new VideoOptions
        {
            SampleFps = null,
            TimelineJsonPath = Path.Combine(outDir, "t.json"), TimelineCsvPath = Path.Combine(outDir, "t.csv"),
            AnnotatedVideoPath = Path.Combine(outDir, "a.mp4"), ContactSheetPath = Path.Combine(outDir, "s.png"),
        };
        var progress = new SyncProgress<VideoProgress>(p => { if (p.Done == 20) cts.Cancel(); });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new VideoService().RunAsync(clip, analyzer, options, progress, cts.Token));
        Assert.Empty(Directory.GetFiles(outDir));     // no outputs and no temp files
    }
}

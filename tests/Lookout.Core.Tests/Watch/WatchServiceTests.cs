using Lookout.Core.Tests.Video;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Events;
using Lookout.Core.Watch.Motion;
using Lookout.Core.Watch.Rules;
using NetVips;

namespace Lookout.Core.Tests.Watch;

public class WatchServiceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-watch").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Workspace => Path.Combine(_dir, "ws");

    private static RuleSet Rules(string when, string cooldown = "30s", string ignore = "[]") => RulesLoader.Parse($"""
        rules:
          - name: stranger
            when: {when}
            ignore: {ignore}
            cooldown: {cooldown}
            actions: [snapshot]
        """);

    [Fact]
    public async Task PersonAppearing_GivesExactlyOneEvent_WithSnapshotAndCatalogRow()
    {
        var clip = await WatchTestKit.BlobClip(Path.Combine(_dir, "person.mp4"), Scenes.PersonRed);
        using var analyzer = new CountingAnalyzer(WatchTestKit.Tiny(_dir));
        var observer = new RecordingObserver();
        var stats = await new WatchService().RunAsync(WatchTestKit.File(clip), analyzer,
            Rules("{ label: person, min_score: 0.6, frames: 3, of_last: 5 }"), new WatchOptions { Workspace = Workspace }, observer);

        Assert.Equal(65, stats.FramesIn);
        Assert.Equal(0, stats.Dropped);                                  // a file read as fast as possible is lossless
        Assert.True(stats.SkippedByMotion >= 14, $"grey lead-in should be skipped: {stats}");
        Assert.Equal(stats.Processed, analyzer.Calls);
        Assert.Equal(stats.FramesIn, stats.Processed + stats.SkippedByMotion);
        Assert.Equal(1, stats.Events);

        var (alert, outcomes) = Assert.Single(observer.Alerts);
        Assert.Equal(("stranger", "person", "person"), (alert.Rule, alert.Label, alert.Camera));
        Assert.InRange(alert.FrameTime.TotalSeconds, 1.65, 1.95);           // third person frame after 1.5 s
        Assert.True(alert.Score >= 0.6f);
        Assert.True(outcomes.Single().Ok);
        Assert.True(File.Exists(alert.SnapshotPath));
        Assert.StartsWith(Path.Combine(Workspace, "events"), alert.SnapshotPath);
        using (var jpg = Image.NewFromFile(alert.SnapshotPath!)) Assert.Equal((96, 64), (jpg.Width, jpg.Height));
        Assert.Empty(Directory.GetFiles(Path.Combine(Workspace, "events"), ".*"));   // no temp files

        var stored = Assert.Single(EventStore.List(Workspace));
        Assert.Equal(alert with { Time = stored.Time }, stored);
        Assert.True(Math.Abs((stored.Time - alert.Time).TotalMilliseconds) < 1);
    }

    [Fact]
    public async Task ShortCooldown_FiresAgain_WhileThePersonStays()
    {
        var clip = await WatchTestKit.BlobClip(Path.Combine(_dir, "person.mp4"), Scenes.PersonRed);
        using var analyzer = WatchTestKit.Tiny(_dir);
        var stats = await new WatchService().RunAsync(WatchTestKit.File(clip), analyzer,
            Rules("{ label: person, min_score: 0.6, frames: 3, of_last: 5 }", cooldown: "1s"), new WatchOptions { Workspace = Workspace });
        Assert.Equal(3, stats.Events);   // at ~1.7 s, ~2.7 s, ~3.7 s; the person leaves at 4.5 s
        Assert.Equal(3, EventStore.List(Workspace).Count);
    }

    [Fact]
    public async Task CatOnlyClip_GivesNoEvent_ButAPersonClipDoes()
    {
        var rules = Rules("{ label: any, min_score: 0.5, frames: 2, of_last: 3 }", ignore: "[cat, background]");
        var cat = await WatchTestKit.BlobClip(Path.Combine(_dir, "cat.mp4"), Scenes.CatGreen);
        using var analyzer = new CountingAnalyzer(WatchTestKit.Tiny(_dir));
        var stats = await new WatchService().RunAsync(WatchTestKit.File(cat), analyzer, rules, new WatchOptions { Workspace = Workspace });
        Assert.Equal(0, stats.Events);
        Assert.True(analyzer.Calls >= 30, "the model must have seen the cat");
        Assert.Empty(EventStore.List(Workspace));

        var person = await WatchTestKit.BlobClip(Path.Combine(_dir, "person.mp4"), Scenes.PersonRed);
        stats = await new WatchService().RunAsync(WatchTestKit.File(person), analyzer, rules, new WatchOptions { Workspace = Workspace });
        Assert.Equal(1, stats.Events);
        Assert.Equal("person", EventStore.List(Workspace).Single().Label);
    }

    [Fact]
    public async Task StillScene_WithMotionGating_NeverCallsTheModel()
    {
        var clip = await TestClips.WriteAsync(Path.Combine(_dir, "still.mp4"), 10, (Scenes.Frame(96, 64, Scenes.PersonRed), 3));
        using var analyzer = new CountingAnalyzer(WatchTestKit.Tiny(_dir));
        var stats = await new WatchService().RunAsync(WatchTestKit.File(clip), analyzer,
            Rules("{ label: person }"), new WatchOptions { Workspace = Workspace, Motion = new MotionOptions() });
        Assert.Equal(30, stats.FramesIn);
        Assert.Equal(30, stats.SkippedByMotion);
        Assert.Equal(0, analyzer.Calls);
        Assert.Equal(0, stats.Events);

        // Without the gate the same scene is analysed on every frame (and the person is reported).
        stats = await new WatchService().RunAsync(WatchTestKit.File(clip), analyzer,
            Rules("{ label: person }"), new WatchOptions { Workspace = Workspace, Motion = null });
        Assert.Equal(30, analyzer.Calls);
        Assert.Equal(1, stats.Events);
    }

    [Fact]
    public async Task SlowModel_OnALiveSource_DropsOldFrames_AndKeepsLatencyBounded()
    {
        var clip = await WatchTestKit.BlobClip(Path.Combine(_dir, "person.mp4"), Scenes.PersonRed, before: 0.5, present: 1.5, after: 0.5);
        using var analyzer = new CountingAnalyzer(WatchTestKit.Tiny(_dir), delay: TimeSpan.FromMilliseconds(250));
        var source = new Lookout.Core.Watch.Sources.FfmpegSource(clip, new Lookout.Core.Watch.Sources.SourceOptions { RealTime = true });
        var stats = await new WatchService().RunAsync(source, analyzer, Rules("{ label: person }"),
            new WatchOptions { Workspace = Workspace, Motion = null, FrameQueueCapacity = 1 });
        Assert.True(source.IsLive);
        Assert.Equal(25, stats.FramesIn);
        Assert.True(stats.Dropped >= 10, $"a 4 fps model on a 10 fps camera must drop frames: {stats}");
        Assert.Equal(stats.FramesIn, stats.Processed + stats.Dropped);
        // Queues of 1-2 frames: a frame waits for ~2 inferences (0.75 s), not for the backlog (lossless: the median frame
        // would wait ~1.9 s and the last ~3.8 s). The median, not the maximum: one frame can wait for the first
        // inference's warm-up on a loaded machine (seen: max 2.3 s, median 0.3 s).
        Assert.True(stats.FrameLatency.P50Ms < 1200, $"latency grew with the backlog: {stats.FrameLatency}");
    }

    [Fact]
    public async Task SeveralCameras_ShareOneModel_EachWithItsOwnStatsAndEvents()
    {
        var person = await WatchTestKit.BlobClip(Path.Combine(_dir, "person.mp4"), Scenes.PersonRed);
        var cat = await WatchTestKit.BlobClip(Path.Combine(_dir, "cat.mp4"), Scenes.CatGreen);
        using var analyzer = new CountingAnalyzer(WatchTestKit.Tiny(_dir));
        var rules = Rules("{ label: person, min_score: 0.6, frames: 3, of_last: 5 }");
        var stats = await new WatchService().RunAsync(
            [new WatchCamera("garden", WatchTestKit.File(person)), new WatchCamera("door", WatchTestKit.File(cat)), new WatchCamera("drive", WatchTestKit.File(person))],
            analyzer, rules, new WatchOptions { Workspace = Workspace, Motion = null });

        Assert.Equal(["garden", "door", "drive"], stats.Select(s => s.Camera));
        Assert.All(stats, s => Assert.Equal(65, s.Processed));                              // files are lossless: nobody starved
        Assert.Equal(3 * 65, analyzer.Calls);
        Assert.Equal([1L, 0L, 1L], stats.Select(s => s.Events));
        Assert.Equal(["drive", "garden"], EventStore.List(Workspace).Select(e => e.Camera).Order());
        Assert.All(stats, s => Assert.InRange(s.MeanBatch, 1.0, 3.0));
        var twice = await Assert.ThrowsAsync<LookoutException>(() => new WatchService().RunAsync(
            [new WatchCamera("a", WatchTestKit.File(person)), new WatchCamera("a", WatchTestKit.File(cat))], analyzer, rules, new WatchOptions { Workspace = Workspace }));
        Assert.Contains("two cameras are named 'a'", twice.Message);
    }

    [Fact]
    public async Task UnknownLabelInRules_FailsBeforeAnyFrame()
    {
        var clip = await TestClips.WriteAsync(Path.Combine(_dir, "still.mp4"), 10, (Scenes.Frame(96, 64), 1));
        using var analyzer = WatchTestKit.Tiny(_dir);
        var e = await Assert.ThrowsAsync<RulesConfigException>(() => new WatchService().RunAsync(WatchTestKit.File(clip), analyzer,
            Rules("{ label: persn }"), new WatchOptions { Workspace = Workspace }));
        Assert.Contains("did you mean 'person'?", e.Message);
        var d = await Assert.ThrowsAsync<RulesConfigException>(() => new WatchService().RunAsync(WatchTestKit.File(clip), analyzer,
            RulesLoader.Parse("rules:\n  - name: a\n    when: { label: person }\n    source: detector\n"), new WatchOptions { Workspace = Workspace }));
        Assert.Contains("gives no detector output", d.Message);
    }
}

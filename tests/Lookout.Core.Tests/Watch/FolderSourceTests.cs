using Lookout.Core.Imaging;
using Lookout.Core.Tests.Video;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Watch.Sources;

namespace Lookout.Core.Tests.Watch;

public class FolderSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-folder").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Drop(string folder, string name, RgbImage image) =>
        File.WriteAllBytes(Path.Combine(folder, name), FrameFitter.Encode(image, ".jpg[Q=90]"));

    [Fact]
    public async Task NewImages_BecomeFrames_AndAVanishedFolderComesBack()
    {
        var folder = Path.Combine(_dir, "cam");
        Directory.CreateDirectory(folder);
        Drop(folder, "000-old.jpg", Scenes.Frame(96, 64, Scenes.PersonRed));         // already there: not replayed
        using var analyzer = WatchTestKit.Tiny(_dir);
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(12));
        var observer = new RecordingObserver { OnAlertSeen = _ => done.Cancel() };
        var rules = RulesLoader.Parse("rules:\n  - name: someone\n    when: { label: person, frames: 2, of_last: 2 }\n");
        var source = new FolderSource(folder, new FolderSourceOptions { PollInterval = TimeSpan.FromMilliseconds(50) });
        var watch = new WatchService().RunAsync(source, analyzer, rules,
            new WatchOptions { Workspace = Path.Combine(_dir, "ws"), Motion = null }, observer, done.Token);

        await Task.Delay(300);
        Drop(folder, "001.jpg", Scenes.Frame(96, 64));
        File.WriteAllBytes(Path.Combine(folder, ".002.jpg.tmp"), [1, 2, 3]);              // a writer's temp file: ignored
        await Task.Delay(300);
        Directory.Delete(folder, recursive: true);                                        // the share goes away...
        await Task.Delay(300);
        Directory.CreateDirectory(folder);                                                // ...and comes back
        Drop(folder, "003.jpg", Scenes.Frame(96, 64, Scenes.PersonRed));
        Drop(folder, "004.jpg", Scenes.Frame(96, 64, Scenes.PersonRed));
        var stats = await watch;

        var alert = Assert.Single(observer.Alerts).Alert;
        Assert.Equal(("person", "cam"), (alert.Label, alert.Camera));
        Assert.Equal(3, stats.FramesIn);                                                  // 001, 003, 004
        var states = observer.Statuses.Select(s => s.State).ToList();
        Assert.Equal([SourceState.Connected, SourceState.Disconnected, SourceState.Connected], states);
    }

    [Fact]
    public async Task AFifoNamedLikeAPhoto_IsNeverOpened()
    {
        var folder = Path.Combine(_dir, "cam");
        Directory.CreateDirectory(folder);
        Lookout.Tests.Support.HostileFiles.Fifo(Path.Combine(folder, "000-pipe.jpg"));     // opening it would block for good
        Drop(folder, "001.jpg", Scenes.Frame(96, 64));
        var source = new FolderSource(folder, new FolderSourceOptions { PollInterval = TimeSpan.FromMilliseconds(50), IncludeExisting = true });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var frames = source.ReadAsync(null, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await frames.MoveNextAsync());
        Assert.Equal((96, 64), (frames.Current.Pixels.Width, frames.Current.Pixels.Height));
    }
}

public class FrameSourcesTests
{
    [Fact]
    public void PicksTheSourceKind()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-fs").FullName;
        try
        {
            Assert.IsType<FolderSource>(FrameSources.Create(dir));
            Assert.IsType<FfmpegSource>(FrameSources.Create("rtsp://127.0.0.1:8554/cam"));
            Assert.True(FrameSources.Create("http://127.0.0.1/stream.mjpg").IsLive);
            Assert.Throws<LookoutException>(() => FrameSources.Create(Path.Combine(dir, "missing.mp4")));
        }
        finally { Directory.Delete(dir, true); }
    }
}

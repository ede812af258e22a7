using Lookout.Core.Tests.Video;
using Lookout.Core.Video;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Watch.Sources;

namespace Lookout.Core.Tests.Watch;

public class FfmpegSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-source").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task HttpMjpegCamera_ThatDiesAndComesBack_IsReconnected_AndStillAlerts()
    {
        await using var camera = new MjpegServer(fps: 10) { Jpeg = MjpegServer.Encode(Scenes.Frame(96, 64)) };
        camera.Start();
        var source = new FfmpegSource(camera.Url, new SourceOptions { InitialBackoff = TimeSpan.FromMilliseconds(200), MaxBackoff = TimeSpan.FromSeconds(1) });
        Assert.True(source.IsLive);
        using var analyzer = WatchTestKit.Tiny(_dir);
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(14));
        var observer = new RecordingObserver { OnAlertSeen = _ => done.Cancel() };
        var rules = RulesLoader.Parse("rules:\n  - name: someone\n    when: { label: person, frames: 2, of_last: 3 }\n");
        var watch = new WatchService().RunAsync(source, analyzer, rules,
            new WatchOptions { Workspace = Path.Combine(_dir, "ws"), Motion = null }, observer, done.Token);

        await WaitFor(() => observer.Statuses.Any(s => s.State == SourceState.Connected), done.Token);
        await Task.Delay(700);
        await camera.StopAsync();                                   // the camera dies...
        await WaitFor(() => observer.Statuses.Any(s => s.State == SourceState.Disconnected), done.Token);
        await Task.Delay(600);                                      // ...stays down for a few retries...
        camera.Jpeg = MjpegServer.Encode(Scenes.Frame(96, 64, Scenes.PersonRed));
        camera.Start();                                             // ...and comes back with someone in view.
        var stats = await watch;

        Assert.False(done.IsCancellationRequested && observer.Alerts.IsEmpty, $"no alert after the reconnect; statuses: {string.Join(", ", observer.Statuses.Select(s => s.State))}");
        var states = observer.Statuses.Select(s => s.State).ToList();
        int firstDown = states.IndexOf(SourceState.Disconnected);
        Assert.True(firstDown > 0 && states.Skip(firstDown).Contains(SourceState.Connected), string.Join(", ", states));
        var alert = Assert.Single(observer.Alerts).Alert;
        Assert.Equal("person", alert.Label);
        Assert.True(stats.FramesIn >= 5);
        Assert.True(camera.Connections >= 2);
    }

    [Fact]
    public async Task LoopedFile_KeepsSeqAndTimeIncreasing()
    {
        var clip = await TestClips.WriteAsync(Path.Combine(_dir, "a.mp4"), 10, (Scenes.Frame(64, 48), 1));
        var source = new FfmpegSource(clip, new SourceOptions { Loop = true });
        var frames = new List<Frame>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var f in source.ReadAsync(null, cts.Token))
        {
            frames.Add(f);
            if (frames.Count == 25) break;
        }
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), frames.Select(f => f.Seq));
        Assert.True(frames.Zip(frames.Skip(1)).All(p => p.Second.Time > p.First.Time));
        Assert.True(frames[24].Time.TotalSeconds > 2.3);
    }

    [Fact]
    public void UnsupportedOrMissingSources_AreClearErrors()
    {
        Assert.Contains("unsupported source", Assert.Throws<LookoutException>(() => new FfmpegSource("ftp://cam/1")).Message);
        Assert.Contains("file not found", Assert.Throws<LookoutException>(() => new FfmpegSource(Path.Combine(_dir, "nope.mp4"))).Message);
        Assert.Equal(["-rtsp_transport", "tcp", "-timeout", "5000000"], SourceKinds.InputArguments(SourceKinds.Detect("rtsp://cam/1"), TimeSpan.FromSeconds(5)));
        Assert.Equal(["-f", "v4l2"], SourceKinds.InputArguments(SourceKinds.Detect("/dev/video0"), TimeSpan.FromSeconds(5)));
    }

    private static async Task WaitFor(Func<bool> condition, CancellationToken ct)
    {
        while (!condition()) await Task.Delay(50, ct);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Video;
using Lookout.Scale.Cameras;
using Lookout.TestSupport;
using Npgsql;
using Xunit.Abstractions;

namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// Cameras across watchers, end to end: three real <c>lookout watch --db</c> processes share six looping cameras
/// through leases in a REAL PostgreSQL the test starts on loopback; one is killed with SIGKILL. Its cameras must
/// be running on the survivors within 30 s, no camera may ever run in two processes at once, and every camera's
/// alert must be stored and sent (webhook) exactly once although each new owner sees the same red scene again.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection("scale-out")]
public sealed class SharedWatchFailoverTests(ITestOutputHelper log) : IDisposable
{
    private const int CameraCount = 6;
    private readonly string _root = MakeRoot();
    private readonly List<WatcherProcess> _watchers = [];
    private PostgresServer? _pg;
    private HttpListener? _hooks;

    private static string MakeRoot()
    {
        var root = Directory.CreateTempSubdirectory("lookout-watchers-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101); // PostgreSQL runs as its own user when the tests run as root
        return root;
    }

    [Fact]
    public async Task KilledWatcher_CamerasTakenOverWithin30s_NeverTwoOwners_EachAlertStoredAndSentOnce()
    {
        Assert.True(PostgresServer.Installed, "postgresql-15 is installed by scripts/setup.sh --tests");
        _pg = new PostgresServer(Path.Combine(_root, "pg"));
        var pgStart = Task.Run(_pg.Start);

        // A 2 s red clip per camera (looped, paced like a live camera), and the mean-colour model: every frame is "red".
        var model = Path.Combine(_root, "colours.onnx");
        File.WriteAllBytes(model, OnnxWriter.Serialize(MeanColourClassifier.Build(["red", "green", "blue"], new PreprocessSpec(), [8, 0, 0, 0, 8, 0, 0, 0, 8], [0, 0, 0])));
        var cameraLines = new List<string>();
        for (int c = 1; c <= CameraCount; c++)
        {
            var clip = Path.Combine(_root, $"cam{c}.mp4");
            await using (var writer = FfmpegVideoWriter.Create(clip, 64, 64, 5))
            {
                for (int i = 0; i < 10; i++)
                {
                    var px = new byte[64 * 64 * 3];
                    for (int p = 0; p < px.Length; p += 3) (px[p], px[p + 1], px[p + 2]) = ((byte)(200 + (p + i) % 40), (byte)(c * 5), 10);
                    await writer.WriteAsync(new RgbImage(64, 64, px));
                }
                await writer.CompleteAsync();
            }
            cameraLines.Add($"cam{c}={Path.GetFileName(clip)}");
        }
        var cameraList = Path.Combine(_root, "cameras.txt");
        await File.WriteAllLinesAsync(cameraList, ["# six test cameras", .. cameraLines]);

        // The webhook receiver counts what was sent.
        var hooks = new ConcurrentBag<JsonElement>();
        int hookPort = LoopbackServers.FreePort();
        _hooks = new HttpListener();
        _hooks.Prefixes.Add($"http://127.0.0.1:{hookPort}/");
        _hooks.Start();
        var receiving = Task.Run(async () =>
        {
            while (_hooks.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _hooks.GetContextAsync(); } catch (Exception) { return; }
                using (var body = new StreamReader(ctx.Request.InputStream)) hooks.Add(JsonDocument.Parse(await body.ReadToEndAsync()).RootElement.Clone());
                ctx.Response.StatusCode = 200;
                ctx.Response.Close();
            }
        });
        var rules = Path.Combine(_root, "rules.yaml");
        await File.WriteAllTextAsync(rules, $$"""
            rules:
              - name: red-seen
                when: { label: red, min_score: 0.5, frames: 2, of_last: 3 }
                source: classifier
                cooldown: 60s
                actions: [snapshot, webhook]
            actions:
              snapshot: { dir: events }
              webhook: { url: "http://127.0.0.1:{{hookPort}}/hook", timeout: 5s }
            """);

        await pgStart;
        var conn = _pg.ConnectionString;
        var clock = Stopwatch.StartNew();
        foreach (var name in new[] { "w1", "w2", "w3" })
            _watchers.Add(new WatcherProcess(_root, name, ["--cameras", cameraList, "--model", model, "--rules", rules, "--no-motion-gate",
                "--realtime", "--loop", "--fps", "5", "--db", conn, "--lease-ttl", "3s", "--workspace", Path.Combine(_root, "ws-" + name)]));

        // Every poll of the lease table: who holds what. Checked as we go and at the end.
        var polls = new ConcurrentQueue<(DateTime At, IReadOnlyList<LeaseRow> Rows)>();
        using var stopPolling = new CancellationTokenSource();
        await using var db = CameraSchema.Open(conn + ";Pooling=false");
        var store = new CameraLeaseStore(db);
        var poller = Task.Run(async () =>
        {
            while (!stopPolling.IsCancellationRequested)
            {
                try { polls.Enqueue((DateTime.UtcNow, await store.ListAsync(stopPolling.Token))); }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable) { /* no watcher made the schema yet */ }
                catch (OperationCanceledException) { break; }
                await Task.Delay(200);
            }
        });

        Dictionary<string, int> Holdings() => polls.LastOrDefault().Rows is { } rows
            ? rows.Where(r => r.Live && r.Owner is not null).GroupBy(r => r.Owner!).ToDictionary(g => g.Key, g => g.Count())
            : [];
        async Task WaitFor(Func<bool> condition, string what, TimeSpan timeout)
        {
            var deadline = clock.Elapsed + timeout;
            while (!condition())
            {
                if (clock.Elapsed > deadline || _watchers.Any(w => w.HasExited && w.KilledAt is null))
                    Assert.Fail($"{what} (after {clock.Elapsed.TotalSeconds:0.0} s); holdings {string.Join(", ", Holdings())}\n"
                        + string.Join("\n\n", _watchers.Select(w => $"--- {w.Name}{(w.HasExited ? " (exited)" : "")}\n{w.Log}")));
                await Task.Delay(100);
            }
        }
        int Events() => (int)(long)(Scalar(conn, "SELECT count(*) FROM lookout_events") ?? 0L);

        // 1. Three watchers spread six cameras 2/2/2, every camera runs, and each camera's alert is recorded.
        await WaitFor(() => Holdings() is { Count: 3 } h && h.Values.All(n => n == 2), "three watchers holding two cameras each", TimeSpan.FromSeconds(40));
        await WaitFor(() => Events() == CameraCount, "one alert per camera", TimeSpan.FromSeconds(20));
        // Sent too (the webhook follows the insert): a watcher killed between the two would lose that notification,
        // by design — at most once, never twice (docs/scale-out.md).
        await WaitFor(() => hooks.Count == CameraCount, "one webhook per alert", TimeSpan.FromSeconds(20));
        log.WriteLine($"spread 2/2/2 and {CameraCount} alerts after {clock.Elapsed.TotalSeconds:0.0} s");

        // 2. SIGKILL one watcher; its cameras must run elsewhere within 30 s (TTL 3 s + a 1 s poll).
        var victim = _watchers[0];
        var victimCameras = polls.Last().Rows.Where(r => r.Live && r.Owner == victim.Name).Select(r => r.Camera).ToList();
        Assert.Equal(2, victimCameras.Count);
        victim.Kill();
        var killedAt = victim.KilledAt!.Value;
        var survivors = _watchers.Skip(1).ToList();
        DateTime? FirstFrameAfterKill(string camera) => survivors.SelectMany(w => w.Ownership())
            .Where(o => o.Camera == camera && o.Change == "first frame processed" && o.At > killedAt).Select(o => (DateTime?)o.At).Min();
        await WaitFor(() => victimCameras.All(c => FirstFrameAfterKill(c) is not null), "the killed watcher's cameras running on the survivors", TimeSpan.FromSeconds(30));
        var takeovers = victimCameras.Select(c => (FirstFrameAfterKill(c)!.Value - killedAt).TotalSeconds).ToList();
        var acquisitions = victimCameras.Select(c => survivors.SelectMany(w => w.Ownership())
            .Where(o => o.Camera == c && o.Change == "acquired" && o.At > killedAt).Min(o => o.At) - killedAt).ToList();
        log.WriteLine($"takeover (SIGKILL -> first frame processed by the new owner): {string.Join(", ", takeovers.Select(t => $"{t:0.00} s"))}"
            + $"; lease won after {string.Join(", ", acquisitions.Select(t => $"{t.TotalSeconds:0.00} s"))}");
        Assert.All(takeovers, t => Assert.True(t < 30, $"takeover took {t:0.0} s"));
        await WaitFor(() => Holdings() is { Count: 2 } h && h.Keys.All(o => o != victim.Name) && h.Values.All(n => n == 3), "two survivors holding three each", TimeSpan.FromSeconds(15));

        // 3. The new owners saw red again and fired: the shared table refused those alerts, so nothing was sent twice.
        await WaitFor(() => survivors.Any(w => w.Lines.Any(l => victimCameras.Any(c => l.Contains($"alert red-seen on {c} not sent")))),
            "a new owner's repeated alert refused by the shared table", TimeSpan.FromSeconds(15));
        await Task.Delay(1500); // a late duplicate would land now
        stopPolling.Cancel();
        await poller;

        // Exactly one stored and one sent alert per camera, each sent by the watcher whose row it is, with its picture.
        var events = await new SharedEventLog(db).ListAsync(100, null, default);
        Assert.Equal(CameraCount, events.Count);
        Assert.Equal(Enumerable.Range(1, CameraCount).Select(c => $"cam{c}"), events.Select(e => e.Alert.Camera).Order());
        Assert.All(events, e => Assert.True(e.SnapshotBytes > 100, $"{e.Alert.Camera}: the snapshot is kept in the row"));
        Assert.All(events, e => Assert.True(File.Exists(Path.Combine(_root, "ws-" + e.Owner, "events", Path.GetFileName(e.Alert.SnapshotPath!))),
            $"{e.Alert.Camera}: the inserting watcher saved its local copy"));
        var sent = hooks.Select(h => h.GetProperty("after").GetProperty("id").GetString()).ToList();
        Assert.Equal(events.Select(e => e.Alert.Id).Order(), sent.Order());

        // Never two owners: by the database (one live owner per camera at every poll) ...
        var pollList = polls.ToList();
        Assert.True(pollList.Count > 20, $"only {pollList.Count} polls");
        foreach (var (_, rows) in pollList)
            foreach (var g in rows.Where(r => r.Live).GroupBy(r => r.Camera)) Assert.Single(g);
        // ... and by what the processes did: per camera, one process's run [acquired, stopped or killed] ends before the next starts.
        foreach (var camera in Enumerable.Range(1, CameraCount).Select(c => $"cam{c}"))
        {
            var runs = _watchers.SelectMany(w => Runs(w, camera)).OrderBy(r => r.Start).ToList();
            for (int i = 1; i < runs.Count; i++)
                Assert.True(runs[i - 1].End <= runs[i].Start,
                    $"{camera} ran in {runs[i - 1].Watcher} until {runs[i - 1].End:HH:mm:ss.fff} and in {runs[i].Watcher} from {runs[i].Start:HH:mm:ss.fff}");
        }
        // The CLI reads the shared table: events list --db, and the picture kept in the row.
        var listed = await CliRunner.RunAsync(_root, ["--json", "events", "list", "--db", conn]);
        Assert.True(listed.ExitCode == 0, listed.StdErr);
        var listedRows = JsonDocument.Parse(listed.StdOut).RootElement.EnumerateArray().ToList();
        Assert.Equal(events.Select(e => e.Alert.Id).Order(), listedRows.Select(r => r.GetProperty("id").GetString()).Order());
        var picture = Path.Combine(_root, "picture.jpg");
        var saved = await CliRunner.RunAsync(_root, ["events", "snapshot", events[0].Alert.Id, "--db", conn, "-o", picture]);
        Assert.True(saved.ExitCode == 0, saved.StdErr);
        Assert.Equal(events[0].SnapshotBytes, new FileInfo(picture).Length);
        Assert.Equal([0xFF, 0xD8, 0xFF], File.ReadAllBytes(picture)[..3]); // a JPEG ...
        ImageLoader.Load(picture, new PreprocessSpec()); // ... that decodes
        log.WriteLine($"{pollList.Count} lease polls, test {clock.Elapsed.TotalSeconds:0.0} s");
        _hooks.Stop();
        await receiving;
    }

    /// <summary>A watcher's runs of one camera: from "acquired" to "stopped", or to its kill, or to now.</summary>
    private static IEnumerable<(string Watcher, DateTime Start, DateTime End)> Runs(WatcherProcess w, string camera)
    {
        DateTime? start = null;
        foreach (var o in w.Ownership().Where(o => o.Camera == camera))
        {
            if (o.Change == "acquired") start = o.At;
            else if (o.Change == "stopped" && start is { } s) { yield return (w.Name, s, o.At); start = null; }
        }
        if (start is { } open) yield return (w.Name, open, w.KilledAt ?? DateTime.MaxValue);
    }

    private static object? Scalar(string conn, string sql)
    {
        using var c = new NpgsqlConnection(conn + ";Pooling=false");
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        try { return cmd.ExecuteScalar(); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable) { return null; }
    }

    public void Dispose()
    {
        foreach (var w in _watchers) w.Dispose();
        if (_hooks is { IsListening: true }) _hooks.Stop();
        _pg?.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

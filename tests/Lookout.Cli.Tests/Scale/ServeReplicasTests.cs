using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.TestSupport;
using Lookout.Tests.Shared;

namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// Three real <c>lookout serve</c> replicas behind a real nginx configured by <c>lookout deploy nginx</c>, all on
/// loopback, under continuous client load: one replica is SIGKILLed, another SIGTERMed (it drains), the shared model
/// is replaced (first by a half-written file, then atomically). Clients must see zero failed classify requests, and
/// every live replica must end up answering with the new model. The model is the mean-colour classifier, so every
/// answer's right label is known.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection("scale-out")]
public sealed class ServeReplicasTests : IDisposable
{
    private static readonly string[] OldLabels = ["red", "green", "blue"];
    private static readonly string[] NewLabels = ["rouge", "vert", "bleu"];
    private readonly string _root;
    private readonly string _models;
    private readonly List<ServeReplica> _replicas = [];
    private NginxServer? _nginx;

    public ServeReplicasTests()
    {
        _root = Directory.CreateTempSubdirectory("lookout-replicas-").FullName;
        // nginx's workers run as nobody when the tests run as root: they must reach the prefix folder.
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
        _models = Path.Combine(_root, "models");
        Directory.CreateDirectory(_models);
        File.WriteAllBytes(ModelPath, Model(OldLabels));
    }

    private string ModelPath => Path.Combine(_models, "colours.onnx");

    private static byte[] Model(string[] labels) =>
        OnnxWriter.Serialize(MeanColourClassifier.Build(labels, new PreprocessSpec(), [8, 0, 0, 0, 8, 0, 0, 0, 8], [0, 0, 0]));

    private static readonly byte[][] Images = [HostileImages.SolidPng(16, 16, 200, 10, 10), HostileImages.SolidPng(16, 16, 10, 200, 10), HostileImages.SolidPng(16, 16, 10, 10, 200)];

    private static async Task<(HttpStatusCode Status, string? Label)> ClassifyAsync(HttpClient http, string baseUrl, int colour)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Images[colour]), "image", "x.png" } };
        using var response = await http.PostAsync(baseUrl + "/v1/classify", form);
        if (response.StatusCode != HttpStatusCode.OK) return (response.StatusCode, null);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.GetProperty("data")[0].GetProperty("class").GetString());
    }

    private static async Task<HttpStatusCode> ReadyAsync(HttpClient http, string baseUrl)
    {
        try { return (await http.GetAsync(baseUrl + "/healthz/ready")).StatusCode; }
        catch (HttpRequestException) { return 0; }
    }

    private ServeReplica StartReplica(int port)
    {
        var r = new ServeReplica(_root, _models, port, "3s");
        _replicas.Add(r);
        return r;
    }

    private static async Task WaitReadyAsync(HttpClient http, ServeReplica r)
    {
        var clock = Stopwatch.StartNew();
        while (await ReadyAsync(http, r.BaseUrl) != HttpStatusCode.OK)
        {
            if (r.HasExited || clock.Elapsed > TimeSpan.FromSeconds(40)) Assert.Fail($"replica {r.Port} never ready:\n{r.Log}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Replicas_behind_nginx_survive_a_crash_a_drain_and_a_rolling_model_update_without_a_failed_request()
    {
        Assert.True(NginxServer.Installed, "nginx is installed by scripts/setup.sh --tests");
        int basePort = LoopbackServers.FreeConsecutivePorts(4);
        int[] ports = [basePort, basePort + 1, basePort + 2];
        int listen = basePort + 3;
        // Replica i listens on base port + i, as the generated config says.
        var conf = Path.Combine(_root, "nginx.conf");
        var deploy = await CliRunner.RunAsync(_root, ["deploy", "nginx", "--replicas", "3", "--base-port", $"{basePort}", "--listen", $"127.0.0.1:{listen}",
            "--models", _models, "--drain", "3s", "-o", conf]);
        Assert.True(deploy.ExitCode == 0, deploy.StdErr);
        Assert.Contains("--drain 3s", deploy.StdErr);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        foreach (var p in ports) StartReplica(p);
        _nginx = new NginxServer(Path.Combine(_root, "nginx"), conf, listen);
        await Task.WhenAll(_replicas.Select(r => WaitReadyAsync(http, r)).Append(_nginx.WaitUntilListeningAsync()));
        string front = $"http://127.0.0.1:{listen}";
        Assert.Equal("red", (await ClassifyAsync(http, front, 0)).Label);

        // Four clients post images through nginx until told to stop; every answer must be 200 with the colour's label
        // (old or new model: the update happens under load).
        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        int ok = 0;
        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                int colour = (c + i) % 3;
                try
                {
                    var (status, label) = await ClassifyAsync(http, front, colour);
                    if (status == HttpStatusCode.OK && (label == OldLabels[colour] || label == NewLabels[colour])) Interlocked.Increment(ref ok);
                    else failures.Enqueue($"{status} {label} for {OldLabels[colour]}");
                }
                catch (Exception e) { failures.Enqueue(e.Message); }
            }
        })).ToList();

        await Task.Delay(1500);
        var crashed = _replicas[0];
        crashed.Kill(); // SIGKILL: in-flight requests on it are cut; nginx re-sends them elsewhere

        await Task.Delay(1500);
        var drained = _replicas[1];
        var drainClock = Stopwatch.StartNew(); // before the signal: the kill itself takes a moment on a busy box
        drained.Terminate();
        // Not ready first, while it still answers (directly, too) for the drain period.
        var sawNotReady = false;
        while (!sawNotReady && !drained.HasExited)
            sawNotReady = await ReadyAsync(http, drained.BaseUrl) == HttpStatusCode.ServiceUnavailable;
        Assert.True(sawNotReady, "a draining replica must answer 503 on /healthz/ready:\n" + drained.Log);
        Assert.False(drained.HasExited);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(drained.BaseUrl + "/healthz/live")).StatusCode);
        Assert.Equal("green", (await ClassifyAsync(http, drained.BaseUrl, 1)).Label);
        Assert.True(await drained.WaitForExitAsync(TimeSpan.FromSeconds(20)), "the drained replica did not stop:\n" + drained.Log);
        var drainTime = drainClock.Elapsed;
        Assert.True(drainTime >= TimeSpan.FromSeconds(2.9), $"stopped after {drainTime.TotalSeconds:0.0} s, before its 3 s drain");
        Assert.Equal(0, drained.ExitCode);

        // The crashed replica comes back on its port (as systemd would restart it); nginx sends it traffic again.
        var restarted = StartReplica(ports[0]);
        await WaitReadyAsync(http, restarted);

        // Rolling model update. First a writer that copies in place (not atomic) leaves half a file for a while:
        // every replica must keep serving the old model, never the half-written one.
        var newModel = Model(NewLabels);
        await File.WriteAllBytesAsync(ModelPath, newModel[..(newModel.Length / 2)]);
        await Task.Delay(1500); // well past the 400 ms reload debounce
        foreach (var r in new[] { restarted, _replicas[2] })
            Assert.Equal("blue", (await ClassifyAsync(http, r.BaseUrl, 2)).Label);
        // Then the right way: temp file in the same folder + rename. Each replica's watcher picks it up.
        var temp = Path.Combine(_models, ".colours.onnx.tmp");
        await File.WriteAllBytesAsync(temp, newModel);
        File.Move(temp, ModelPath, overwrite: true);
        var updateClock = Stopwatch.StartNew();
        foreach (var r in new[] { restarted, _replicas[2] })
            while ((await ClassifyAsync(http, r.BaseUrl, 2)).Label != "bleu")
            {
                if (updateClock.Elapsed > TimeSpan.FromSeconds(20)) Assert.Fail($"replica {r.Port} never picked up the new model:\n{r.Log}");
                await Task.Delay(100);
            }

        await Task.Delay(1000);
        stop.Cancel();
        await Task.WhenAll(clients);
        Assert.True(failures.IsEmpty, $"{failures.Count} failed requests (of {ok + failures.Count}): {string.Join("; ", failures.Take(5))}\n{_nginx.Log()}");
        Assert.True(ok >= 40, $"only {ok} requests answered under load");

        // Afterwards every answer, through nginx or from any live replica, comes from the new model.
        for (int i = 0; i < 6; i++) Assert.Equal(NewLabels[i % 3], (await ClassifyAsync(http, front, i % 3)).Label);
        foreach (var r in new[] { restarted, _replicas[2] })
            for (int c = 0; c < 3; c++) Assert.Equal(NewLabels[c], (await ClassifyAsync(http, r.BaseUrl, c)).Label);
    }

    public void Dispose()
    {
        _nginx?.Dispose();
        foreach (var r in _replicas) r.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

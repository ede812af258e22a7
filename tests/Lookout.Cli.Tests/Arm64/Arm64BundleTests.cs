using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Video;

namespace Lookout.Cli.Tests.Arm64;

/// <summary>
/// The linux-arm64 bundle, run under QEMU user-mode emulation with the model trained by the shared workspace: the same
/// answers as x86-64 through classify, serve and watch, and a clear refusal to train.
/// </summary>
[Collection(TrainedWorkspaceCollection.Name)]
public class Arm64BundleTests(TrainedWorkspaceFixture ws, Arm64BundleFixture bundle) : IClassFixture<Arm64BundleFixture>
{
    private static readonly TimeSpan Emulated = TimeSpan.FromMinutes(8);
    private string Model => ws.Train.GetProperty("model").GetString()!;

    private string SampleDir()
    {
        var dir = Path.Combine(ws.Root, $"arm64-samples-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        foreach (var classDir in Directory.GetDirectories(ws.DataDir).Order())
            foreach (var f in Directory.GetFiles(classDir, $"{Path.GetFileName(classDir)}-*.png").Order().Take(2)) // not the fixture's broken.png
                File.Copy(f, Path.Combine(dir, $"{Path.GetFileName(classDir)}-{Path.GetFileName(f)}"));
        return dir;
    }

    private static Dictionary<string, Dictionary<string, float>> Scores(string json) =>
        JsonDocument.Parse(json).RootElement.EnumerateArray().ToDictionary(
            r => Path.GetFileName(r.GetProperty("file").GetString()!),
            r => r.GetProperty("predictions").EnumerateArray().ToDictionary(p => p.GetProperty("class").GetString()!, p => p.GetProperty("score").GetSingle()));

    private static string Top(Dictionary<string, float> scores) => scores.MaxBy(kv => kv.Value).Key;

    [EmulatedFact]
    public async Task Classify_Emulated_SameTopClassAndScoresWithin1e4_OfX64()
    {
        var dir = SampleDir();
        string[] args = ["classify", Model, dir, "--top", "100", "--json", "--quiet"];
        var native = await CliRunner.RunAsync(ws.Root, args);
        Assert.True(native.ExitCode == 0, native.StdErr);
        var arm = await Arm64Emulator.RunAsync(bundle.Dir, ws.Root, args, Emulated);
        Assert.True(arm.ExitCode == 0, arm.StdErr);

        var x64 = Scores(native.StdOut);
        var arm64 = Scores(arm.StdOut);
        Assert.Equal(x64.Keys.Order(), arm64.Keys.Order());
        Assert.True(x64.Count >= 6, $"only {x64.Count} samples");
        foreach (var (file, expected) in x64)
        {
            var got = arm64[file];
            Assert.Equal(Top(expected), Top(got));
            Assert.Equal(expected.Keys.Order(), got.Keys.Order());
            foreach (var (label, score) in expected)
                Assert.True(Math.Abs(score - got[label]) <= 1e-4, $"{file} {label}: x86-64 {score}, arm64 {got[label]}");
        }
    }

    [EmulatedFact]
    public async Task Serve_Emulated_AnswersV1Classify()
    {
        var image = Directory.GetFiles(Path.Combine(ws.DataDir, "circle"), "circle-*.png").Order().First();
        var native = await CliRunner.RunAsync(ws.Root, ["classify", Model, image, "--json", "--quiet"]);
        Assert.True(native.ExitCode == 0, native.StdErr);
        var expected = JsonDocument.Parse(native.StdOut).RootElement[0].GetProperty("predictions")[0];

        int port = FreePort();
        var faces = Directory.CreateTempSubdirectory("lookout-arm64-serve-").FullName;
        using var server = Process.Start(Arm64Emulator.StartInfo(bundle.Dir, ws.Root,
            ["serve", "--model", Model, "--urls", $"http://127.0.0.1:{port}", "--workspace", faces]))!;
        var log = server.StandardError.ReadToEndAsync();
        _ = server.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
            await WaitHealthyAsync(http, server, log);
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(image)), "file", "circle.png" } };
            var response = await http.PostAsync("/v1/classify", form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var top = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0];
            Assert.Equal(expected.GetProperty("class").GetString(), top.GetProperty("class").GetString());
            Assert.True(Math.Abs(expected.GetProperty("score").GetSingle() - top.GetProperty("score").GetSingle()) <= 1e-4);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(faces, recursive: true);
        }
    }

    [EmulatedFact]
    public async Task Watch_Emulated_TurnsAGeneratedClipIntoAnEvent()
    {
        var clip = Path.Combine(ws.Root, $"arm64-clip-{Guid.NewGuid():N}.mp4");
        await using (var writer = FfmpegVideoWriter.Create(clip, 64, 64, 2))
        {
            var spec = new PreprocessSpec { Width = 64, Height = 64 };
            foreach (var (label, n) in new[] { ("stripes", 4), ("square", 8) })
                for (int i = 0; i < n; i++)
                    await writer.WriteAsync(ImageLoader.Load(Path.Combine(ws.DataDir, label, $"{label}-{i:0000}.png"), spec));
            await writer.CompleteAsync();
        }
        var workspace = Path.Combine(ws.Root, $"arm64-watch-{Guid.NewGuid():N}");
        var rules = Path.Combine(ws.Root, $"arm64-rules-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(rules, """
            rules:
              - name: square-seen
                when: { label: square, min_score: 0.5, frames: 3, of_last: 4 }
                source: classifier
                cooldown: 60s
                actions: [snapshot]
            actions:
              snapshot: { dir: events }
            """);
        // ffmpeg (decoding the clip) is the host's: an emulated process that starts an x86-64 program runs it natively.
        var watch = await Arm64Emulator.RunAsync(bundle.Dir, ws.Root,
            ["watch", clip, "--model", Model, "--rules", rules, "--no-motion-gate", "--workspace", workspace, "--quiet"], Emulated);
        Assert.True(watch.ExitCode == 0, watch.StdErr);

        // The x86-64 CLI reads the events database the arm64 one wrote.
        var list = await CliRunner.RunAsync(ws.Root, ["events", "list", "--json", "--workspace", workspace]);
        Assert.True(list.ExitCode == 0, list.StdErr);
        var e = Assert.Single(JsonDocument.Parse(list.StdOut).RootElement.EnumerateArray().ToList());
        Assert.Equal("square", e.GetProperty("label").GetString());
        Assert.True(File.Exists(e.GetProperty("snapshotPath").GetString()));
    }

    [EmulatedFact]
    public async Task Train_Emulated_RefusesWithOneLineSayingTrainingRunsOnX64()
    {
        var data = Path.Combine(ws.Root, $"arm64-train-{Guid.NewGuid():N}");
        foreach (var label in new[] { "circle", "square" })
        {
            Directory.CreateDirectory(Path.Combine(data, label));
            foreach (var f in Directory.GetFiles(Path.Combine(ws.DataDir, label), $"{label}-*.png").Order().Take(3))
                File.Copy(f, Path.Combine(data, label, Path.GetFileName(f)));
        }
        var r = await Arm64Emulator.RunAsync(bundle.Dir, ws.Root, ["train", data, "--workspace", data + "-ws", "--quiet"], Emulated);
        Assert.Equal(1, r.ExitCode);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("x86-64"));
        Assert.DoesNotContain("Exception", r.StdErr);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task WaitHealthyAsync(HttpClient http, Process server, Task<string> log)
    {
        var deadline = DateTime.UtcNow + Emulated;
        while (true)
        {
            if (server.HasExited) throw new InvalidOperationException($"emulated server exited ({server.ExitCode}): {await log}");
            try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("emulated server did not become healthy");
            await Task.Delay(500);
        }
    }
}

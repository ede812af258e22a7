using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Video;

namespace Lookout.Cli.Tests;

/// <summary>The trained model used through the other front doors: video, watch + events, and the HTTP server.</summary>
[Collection(TrainedWorkspaceCollection.Name)]
public class VideoWatchServeTests(TrainedWorkspaceFixture ws)
{
    private string Model => ws.Train.GetProperty("model").GetString()!;

    /// <summary>A 6 s clip at 2 fps: 2 s of stripes images, then 4 s of square images (each held 0.5 s).</summary>
    private async Task<string> MakeClipAsync()
    {
        var path = Path.Combine(ws.Root, $"clip-{Guid.NewGuid():N}.mp4");
        var spec = new PreprocessSpec { Width = 64, Height = 64 };
        await using var writer = FfmpegVideoWriter.Create(path, 64, 64, 2);
        foreach (var (label, n) in new[] { ("stripes", 4), ("square", 8) })
            for (int i = 0; i < n; i++)
                await writer.WriteAsync(ImageLoader.Load(Path.Combine(ws.DataDir, label, $"{label}-{i:0000}.png"), spec));
        await writer.CompleteAsync();
        return path;
    }

    [Fact]
    public async Task Video_WritesTimelineAndSegments_EndingOnSquare()
    {
        var clip = await MakeClipAsync();
        var r = await CliRunner.RunAsync(ws.Root, ["video", Model, clip, "--every-frame", "--no-annotated", "--json", "--quiet"]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var doc = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal(12, doc.GetProperty("frames").GetArrayLength());
        Assert.True(File.Exists(Path.ChangeExtension(clip, ".lookout.csv")));
        Assert.True(File.Exists(Path.ChangeExtension(clip, ".lookout.png")));
        var segments = doc.GetProperty("segments").EnumerateArray().ToList();
        Assert.NotEmpty(segments);
        Assert.Equal("square", segments[^1].GetProperty("label").GetString());
    }

    [Fact]
    public async Task Watch_RaisesOneEventWithSnapshot_AndEventsListShowsIt()
    {
        var clip = await MakeClipAsync();
        var workspace = Path.Combine(ws.Root, $"watch-{Guid.NewGuid():N}");
        var rules = Path.Combine(ws.Root, "rules.yaml");
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
        var watch = await CliRunner.RunAsync(ws.Root, ["watch", clip, "--model", Model, "--rules", rules, "--no-motion-gate", "--workspace", workspace, "--quiet"]);
        Assert.True(watch.ExitCode == 0, watch.StdErr);

        var list = await CliRunner.RunAsync(ws.Root, ["events", "list", "--json", "--workspace", workspace]);
        Assert.Equal(0, list.ExitCode);
        var events = JsonDocument.Parse(list.StdOut).RootElement.EnumerateArray().ToList();
        var e = Assert.Single(events); // cooldown: one visit, one event
        Assert.Equal("square", e.GetProperty("label").GetString());
        Assert.True(File.Exists(e.GetProperty("snapshotPath").GetString()));
    }

    [Fact]
    public async Task Watch_BadRules_FailWithLineNumbers()
    {
        var rules = Path.Combine(ws.Root, "bad-rules.yaml");
        await File.WriteAllTextAsync(rules, "rules:\n  - name: x\n    whn: { label: square }\n");
        var r = await CliRunner.RunAsync(ws.Root, ["watch", Path.Combine(ws.DataDir, "square"), "--model", Model, "--rules", rules]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("invalid rules", r.StdErr);
    }

    [Fact]
    public async Task Serve_AnswersTheEnvelope_WithTheSameScoresAsClassify()
    {
        var image = Path.Combine(ws.DataDir, "circle", "circle-0003.png");
        var cli = await CliRunner.RunAsync(ws.Root, ["classify", Model, image, "--json"]);
        var expected = JsonDocument.Parse(cli.StdOut).RootElement[0].GetProperty("predictions")[0];

        int port = FreePort();
        var faces = Directory.CreateTempSubdirectory("lookout-serve-ws-").FullName; // --workspace: where the face gallery lives
        using var server = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "lookout.dll"), "serve", "--model", Model, "--urls", $"http://127.0.0.1:{port}", "--workspace", faces])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await WaitHealthyAsync(http);
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(image)), "file", "circle.png" } };
            var response = await http.PostAsync("/v1/classify", form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("success", body.GetProperty("meta").GetProperty("type").GetString());
            var top = body.GetProperty("data")[0];
            Assert.Equal(expected.GetProperty("class").GetString(), top.GetProperty("class").GetString());
            Assert.Equal(expected.GetProperty("score").GetSingle(), top.GetProperty("score").GetSingle());

            using var junk = new MultipartFormDataContent { { new StringContent("not an image"), "file", "x.jpg" } };
            var bad = await http.PostAsync("/v1/classify", junk);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, bad.StatusCode);

            var list = await http.PostAsync("/v1/vision/face/list", null);
            using var faceList = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
            Assert.Equal(["success", "faces", "duration"], faceList.RootElement.EnumerateObject().Select(p => p.Name)); // DeepStack's fields
            Assert.True(faceList.RootElement.GetProperty("success").GetBoolean());
            Assert.Empty(faceList.RootElement.GetProperty("faces").EnumerateArray());
            Assert.True(File.Exists(Path.Combine(faces, "catalog.db")), "the face gallery is in the --workspace folder");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(faces, recursive: true);
        }
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    internal static async Task WaitHealthyAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return; }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("server did not become healthy");
            await Task.Delay(200);
        }
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Lookout.Server.Tests.Studio;

/// <summary>
/// A detection project over HTTP, the way the studio drives it: pictures uploaded and boxed through the box editor's API
/// → the estimate warns of too few boxes → a training job (the detector pipeline, live events) → the run's mAP per class,
/// PR curves and galleries mapped to the project's pictures → Try it draws boxes → Serve → /v1/detect?model= answers.
/// </summary>
public class StudioDetectTrainApiTests
{
    /// <summary>Generated box scenes (2 classes) uploaded into a new detection project and boxed through the box editor's API, as a user would.</summary>
    internal static async Task MakeBoxProject(HttpClient client, string dir, string name, int scenes = 8)
    {
        await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects", new { name, task = "detect" }));
        var generated = BoxScenesGenerator.Generate(Path.Combine(dir, "scenes-src"),
            new BoxScenesOptions { Scenes = scenes, FramesPerScene = 2, Classes = ["disc", "square"], BackgroundShare = 0, MaxObjects = 2, Seed = 5 });
        foreach (var img in generated.Images)
        {
            var body = new ByteArrayContent(await File.ReadAllBytesAsync(img.Path));
            body.Headers.ContentType = new("application/octet-stream");
            var uploaded = await StudioTrainApiTests.Data(await client.PostAsync($"/v1/projects/{name}/uploads?name={Path.GetFileName(img.Path)}", body));
            var id = uploaded.GetProperty("ids")[0].GetInt64();
            var boxes = img.Boxes.Select(b => new { label = b.Label, x1 = b.Box.X1, y1 = b.Box.Y1, x2 = b.Box.X2, y2 = b.Box.Y2 });
            await StudioTrainApiTests.Data(await client.PostAsJsonAsync($"/v1/projects/{name}/pictures/{id}/boxes", new { boxes }));
        }
    }

    [Fact]
    public async Task DetectProject_Train_Results_Try_Serve_DetectAnswersWithTheProjectsClass()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-studio-detect-").FullName;
        var (app, client) = await StudioTrainApiTests.StartAsync(dir);
        await using var _ = new StudioTrainApiTests.Cleanup(app, dir);
        await MakeBoxProject(client, dir, "shapes");

        var estimate = await StudioTrainApiTests.Data(await client.GetAsync("/v1/projects/shapes/detect/estimate"));
        Assert.Equal(16, estimate.GetProperty("images").GetInt32());
        Assert.True(estimate.GetProperty("quickSeconds").GetDouble() > 0);
        Assert.Contains(estimate.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("too few boxes", StringComparison.Ordinal));

        var job = await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects/shapes/jobs", new { mode = "quick", epochs = 2 }));
        var (done, events) = await StudioTrainApiTests.WaitAsync(client, "shapes", job.GetProperty("id").GetInt64(), seconds: 180);
        Assert.True(done.GetProperty("state").GetString() == "done", string.Join("\n", events.TakeLast(8)));
        var run = done.GetProperty("run").GetString()!;
        Assert.StartsWith("detect", run);
        Assert.Equal(2, events.Count(e => e.GetProperty("kind").GetString() == "epoch"));
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "progress" && e.GetProperty("data").GetProperty("total").GetDouble() > 0);
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "warning" && e.GetProperty("data").GetProperty("text").GetString()!.Contains("too few boxes"));
        Assert.DoesNotContain(events, e => e.ToString().Contains(dir)); // no server paths reach the browser

        var row = (await StudioTrainApiTests.Data(await client.GetAsync("/v1/projects/shapes/runs"))).EnumerateArray().Single(r => r.GetProperty("id").GetString() == run);
        Assert.Equal("detect", row.GetProperty("task").GetString());
        var results = await StudioTrainApiTests.Data(await client.GetAsync($"/v1/projects/shapes/runs/{run}/detect"));
        Assert.Equal(["disc", "square"], results.GetProperty("classes").EnumerateArray().Select(c => c.GetString()).Order()); // classes.txt order: first boxed first
        Assert.Equal(2, results.GetProperty("epochs").GetArrayLength());
        var test = results.GetProperty("test");
        Assert.InRange(test.GetProperty("map50").GetDouble(), 0, 1);
        Assert.InRange(test.GetProperty("map50To95").GetDouble(), 0, test.GetProperty("map50").GetDouble());
        Assert.Equal(row.GetProperty("testMap50").GetDouble(), test.GetProperty("map50").GetDouble(), 3);
        Assert.NotEmpty(test.GetProperty("classes").EnumerateArray());
        Assert.True(results.GetProperty("hasPrCurves").GetBoolean());
        var pr = await client.GetAsync($"/v1/projects/shapes/runs/{run}/picture?file=pr.png");
        Assert.Equal("image/png", pr.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0x89, (await pr.Content.ReadAsByteArrayAsync())[0]);
        var gallery = results.GetProperty("falsePositives").EnumerateArray().Concat(results.GetProperty("misses").EnumerateArray()).ToList();
        Assert.NotEmpty(gallery); // two epochs leave mistakes to fix
        Assert.All(gallery, g => Assert.True(g.GetProperty("item").ValueKind == JsonValueKind.Number, $"{g} is not mapped to a project picture"));
        Assert.Equal(404, (int)(await client.GetAsync($"/v1/projects/shapes/runs/{run}/picture?file=../manifest.json")).StatusCode);

        // Try it: boxes with the project's classes (a low threshold: two epochs make shy scores).
        var picture = new ByteArrayContent(await File.ReadAllBytesAsync(Directory.EnumerateFiles(Path.Combine(dir, "scenes-src", "images")).Order().First()));
        picture.Headers.ContentType = new("application/octet-stream");
        var tried = await StudioTrainApiTests.Data(await client.PostAsync("/v1/projects/shapes/runs/latest/detect?minScore=0.01", picture));
        Assert.Equal(run, tried.GetProperty("run").GetString());
        Assert.Equal((320, 240), (tried.GetProperty("width").GetInt32(), tried.GetProperty("height").GetInt32()));
        var labels = tried.GetProperty("boxes").EnumerateArray().Select(b => b.GetProperty("label").GetString()).ToList();
        Assert.NotEmpty(labels);
        Assert.All(labels, l => Assert.Contains(l, new[] { "disc", "square" }));

        // Serve: /v1/detect?model=shapes answers with the project's classes, the DeepStack custom route too.
        var served = await StudioTrainApiTests.Data(await client.PostAsJsonAsync($"/v1/projects/shapes/runs/{run}/promote", new { name = "shapes" }));
        Assert.Equal(run, served.GetProperty("run").GetString());
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(Directory.EnumerateFiles(Path.Combine(dir, "scenes-src", "images")).Order().First())), "image", "a.png" },
            { new StringContent("shapes"), "model" },
            { new StringContent("0.01"), "min_score" },
        };
        var detected = await StudioTrainApiTests.Data(await client.PostAsync("/v1/detect", form));
        var detectedLabels = detected.EnumerateArray().Select(o => o.GetProperty("label").GetString()).ToList();
        Assert.NotEmpty(detectedLabels);
        Assert.All(detectedLabels, l => Assert.Contains(l, new[] { "disc", "square" }));
        using var ds = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(Directory.EnumerateFiles(Path.Combine(dir, "scenes-src", "images")).Order().First())), "image", "a.png" },
            { new StringContent("0.01"), "min_confidence" },
        };
        var custom = await (await client.PostAsync("/v1/vision/custom/shapes", ds)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(custom.GetProperty("success").GetBoolean(), custom.ToString());
        Assert.All(custom.GetProperty("predictions").EnumerateArray(), p => Assert.Contains(p.GetProperty("label").GetString(), new[] { "disc", "square" }));
    }

    [Fact]
    public async Task DetectJob_InterruptedByAServerStop_ResumesItsRunFromTheCheckpoint_OnTheNextStart()
    {
        // 30 epochs: on an idle machine this tiny set trains ~4 epochs a second, and 8 could all finish between the
        // test seeing epoch 1 and the stop taking effect (then there is nothing to resume; seen once).
        const int Epochs = 30;
        var dir = Directory.CreateTempSubdirectory("lookout-studio-detect-resume-").FullName;
        var options = new ServerOptions { StudioDirectory = Path.Combine(dir, "projects"), Workspace = Path.Combine(dir, "ws") };
        var app = LookoutServer.BuildApp(options, configure: b => b.WebHost.UseTestServer());
        await app.StartAsync();
        var client = app.GetTestClient();
        await MakeBoxProject(client, dir, "p", scenes: 6);
        var id = (await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects/p/jobs", new { mode = "quick", epochs = Epochs }))).GetProperty("id").GetInt64();
        // Stopped after its first epoch: enough epochs remain that an idle machine cannot finish them before the stop.
        await StudioTrainApiTests.WaitAsync(client, "p", id, e => e.GetProperty("kind").GetString() == "epoch");
        await app.StopAsync();
        await app.DisposeAsync();
        var stopped = new Lookout.Core.Studio.Jobs.JobStore(new Lookout.Core.Studio.ProjectStore(Path.Combine(dir, "projects")).Open("p"));
        Assert.Equal(Lookout.Core.Studio.Jobs.JobState.Running, stopped.Get(id)!.State);
        var interruptedRun = stopped.Get(id)!.Run;
        Assert.NotNull(interruptedRun);

        app = LookoutServer.BuildApp(options, configure: b => b.WebHost.UseTestServer());
        await app.StartAsync();
        await using var _ = new StudioTrainApiTests.Cleanup(app, dir);
        client = app.GetTestClient();
        var (done, events) = await StudioTrainApiTests.WaitAsync(client, "p", id, seconds: 180);
        Assert.True(done.GetProperty("state").GetString() == "done", string.Join("\n", events.TakeLast(8)));
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.Equal(interruptedRun, done.GetProperty("run").GetString());
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "message" && e.GetProperty("data").GetProperty("text").GetString()!.Contains("resuming detector run"));
        var results = await StudioTrainApiTests.Data(await client.GetAsync($"/v1/projects/p/runs/{interruptedRun}/detect"));
        Assert.Equal(Enumerable.Range(1, Epochs), results.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.Single(Directory.EnumerateDirectories(Path.Combine(dir, "projects", "p", ".lookout", "runs")));
    }

    [Fact]
    public async Task DetectProject_FromOneBoxedWalkThroughVideo_TrainsWithATestSplitByTime_AndSaysSo()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-studio-detect-walk-").FullName;
        var (app, client) = await StudioTrainApiTests.StartAsync(dir);
        await using var _ = new StudioTrainApiTests.Cleanup(app, dir);
        await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects", new { name = "walk", task = "detect" }));

        // One phone video walking past 8 scenes, 2 s each: the scan keeps one frame per scene (the second is a repeat).
        var scenes = BoxScenesGenerator.Generate(Path.Combine(dir, "scenes"),
            new BoxScenesOptions { Scenes = 8, FramesPerScene = 1, Classes = ["disc", "square"], BackgroundShare = 0, MaxObjects = 2, Seed = 9 });
        var ordered = scenes.Images.OrderBy(i => Path.GetFileName(i.Path), StringComparer.Ordinal).ToList();
        var clip = StudioMedia.SlideShow(Path.GetDirectoryName(ordered[0].Path)!, Path.Combine(dir, "walk.mp4"), picturesPerSecond: 0.5);
        var body = new ByteArrayContent(await File.ReadAllBytesAsync(clip));
        body.Headers.ContentType = new("application/octet-stream");
        var uploaded = await StudioTrainApiTests.Data(await client.PostAsync("/v1/projects/walk/uploads?name=walk.mp4", body));
        Assert.True(uploaded.GetProperty("video").GetBoolean());

        // Each frame picture gets its scene's boxes (its name says when it was taken), as a user boxes them in the editor.
        var index = await StudioTrainApiTests.Data(await client.GetAsync("/v1/projects/walk/boxes"));
        var pictures = index.GetProperty("pictures").EnumerateArray().ToList();
        Assert.Equal(8, pictures.Count);
        foreach (var picture in pictures)
        {
            long ms = Lookout.Core.Datasets.Boxes.BoxGroups.FrameNumber(picture.GetProperty("name").GetString()!)!.Value;
            var scene = ordered[(int)(ms / 2000)];
            var boxes = scene.Boxes.Select(b => new { label = b.Label, x1 = b.Box.X1, y1 = b.Box.Y1, x2 = b.Box.X2, y2 = b.Box.Y2 });
            await StudioTrainApiTests.Data(await client.PostAsJsonAsync($"/v1/projects/walk/pictures/{picture.GetProperty("id").GetInt64()}/boxes", new { boxes }));
        }

        var job = await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects/walk/jobs", new { mode = "quick", epochs = 2 }));
        var (done, events) = await StudioTrainApiTests.WaitAsync(client, "walk", job.GetProperty("id").GetInt64(), seconds: 180);
        Assert.True(done.GetProperty("state").GetString() == "done", string.Join("\n", events.TakeLast(8)));
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "message" && e.GetProperty("data").GetProperty("text").GetString()!.Contains("train 6, val 1, test 1 images"));
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "warning" && e.GetProperty("data").GetProperty("text").GetString()!.Contains("split by time"));
        Assert.DoesNotContain(events, e => e.GetProperty("kind").GetString() == "warning" && e.GetProperty("data").GetProperty("text").GetString()!.Contains("not read")); // its frames are
        var results = await StudioTrainApiTests.Data(await client.GetAsync($"/v1/projects/walk/runs/{done.GetProperty("run").GetString()}/detect"));
        Assert.InRange(results.GetProperty("test").GetProperty("map50").GetDouble(), 0, 1); // evaluated on the walk's last scene
    }

    [Fact]
    public async Task BoxList_ShowsAPhotoAndTheFramesOfAVideoCopiedIntoTheDataFolderByHand()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-studio-detect-byhand-").FullName;
        var (app, client) = await StudioTrainApiTests.StartAsync(dir);
        await using var _ = new StudioTrainApiTests.Cleanup(app, dir);
        await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects", new { name = "porch", task = "detect" }));
        var inbox = Directory.CreateDirectory(Path.Combine(dir, "projects", "porch", "data", "_unlabelled")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(inbox, "parcel.png"), StudioMedia.Textured(200, 120, 40, seed: 3));
        StudioMedia.Clip(Path.Combine(inbox, "door.mp4"), ("red", 2), ("blue", 2));

        var names = (await StudioTrainApiTests.Data(await client.GetAsync("/v1/projects/porch/boxes"))).GetProperty("pictures").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()!).ToList();
        Assert.Contains("parcel.png", names);
        Assert.True(names.Count(n => n.StartsWith("door_frame_", StringComparison.Ordinal)) >= 2, string.Join(", ", names));
    }
}

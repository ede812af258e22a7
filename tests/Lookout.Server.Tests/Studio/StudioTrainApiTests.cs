using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Xunit.Abstractions;

namespace Lookout.Server.Tests.Studio;

/// <summary>
/// The studio's train → results → fix → retrain → promote loop over HTTP, on a generated shapes project with the small
/// generated backbone; and a fine-tuning job that a server stop interrupts and the next server resumes from its checkpoint.
/// </summary>
public class StudioTrainApiTests(ITestOutputHelper output)
{
    /// <summary>A studio server over <paramref name="dir"/> (projects/, ws/) on ASP.NET Core's in-memory test server.</summary>
    internal static async Task<(WebApplication App, HttpClient Client)> StartAsync(string dir)
    {
        var app = LookoutServer.BuildApp(new ServerOptions { StudioDirectory = Path.Combine(dir, "projects"), Workspace = Path.Combine(dir, "ws") },
            configure: b => b.WebHost.UseTestServer());
        await app.StartAsync();
        return (app, app.GetTestClient());
    }

    internal static async Task<JsonElement> Data(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("data").Clone();
    }

    /// <summary>A project whose data folder holds generated shapes (one folder per class).</summary>
    internal static async Task MakeShapesProject(HttpClient client, string dir, string name, int perClass, params string[] classes)
    {
        await Data(await client.PostAsJsonAsync("/v1/projects", new { name, backbone = "generated" }));
        ShapesDatasetGenerator.Generate(Path.Combine(dir, "projects", name, "data"), new ShapesOptions { PerClass = perClass, Seed = 3, Classes = classes });
    }

    /// <summary>Polls a job's events until it ends; returns the job and every event.</summary>
    internal static async Task<(JsonElement Job, List<JsonElement> Events)> WaitAsync(HttpClient client, string project, long job, Func<JsonElement, bool>? stopWhen = null, int seconds = 240)
    {
        var events = new List<JsonElement>();
        long after = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var d = await Data(await client.GetAsync($"/v1/projects/{project}/jobs/{job}/events?after={after}"));
            foreach (var e in d.GetProperty("events").EnumerateArray())
            {
                events.Add(e);
                after = e.GetProperty("seq").GetInt64();
                if (stopWhen?.Invoke(e) == true) return (d.GetProperty("job"), events);
            }
            var state = d.GetProperty("job").GetProperty("state").GetString();
            if (state is "done" or "failed" or "cancelled" && d.GetProperty("events").GetArrayLength() == 0) return (d.GetProperty("job"), events);
            await Task.Delay(100);
        }
        throw new TimeoutException($"job {job} did not end in {seconds} s; last events: {string.Join("\n", events.TakeLast(5))}");
    }

    [Fact]
    public async Task Train_Results_Fix_Retrain_Promote_OverHttp()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-studio-train-").FullName;
        var (app, client) = await StartAsync(dir);
        await using var stop = new Cleanup(app, dir);
        await MakeShapesProject(client, dir, "shapes", 14, "circle", "square", "stripes");

        var estimate = await Data(await client.GetAsync("/v1/projects/shapes/estimate"));
        Assert.Equal(42, estimate.GetProperty("images").GetInt32());
        Assert.True(estimate.GetProperty("betterSeconds").GetDouble() > estimate.GetProperty("quickSeconds").GetDouble());

        // Train (quick): events arrive while it runs, epochs carry the curves' numbers, and the job ends with a run.
        var clock = Stopwatch.StartNew();
        var job = await Data(await client.PostAsJsonAsync("/v1/projects/shapes/jobs", new { mode = "quick", epochs = 30 }));
        var id = job.GetProperty("id").GetInt64();
        var (done, events) = await WaitAsync(client, "shapes", id);
        output.WriteLine($"quick job: {clock.Elapsed.TotalSeconds:0.0} s, {events.Count} events, first progress after {events.First(e => e.GetProperty("kind").GetString() == "progress").GetProperty("time").GetDateTimeOffset() - done.GetProperty("created").GetDateTimeOffset()}");
        Assert.Equal("done", done.GetProperty("state").GetString());
        var run1 = done.GetProperty("run").GetString()!;
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "epoch" && e.GetProperty("data").GetProperty("valLoss").ValueKind == JsonValueKind.Number);
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "progress" && e.GetProperty("data").GetProperty("phase").GetString() == "embed");
        Assert.Equal("done", events.Last().GetProperty("data").GetProperty("state").GetString());

        // Results: per-class metrics with intervals, a confusion matrix whose cells list their pictures, the manifest.
        var results = await Data(await client.GetAsync($"/v1/projects/shapes/runs/{run1}"));
        var test = results.GetProperty("test");
        Assert.Equal(3, test.GetProperty("perClass").GetArrayLength());
        Assert.True(test.GetProperty("perClass")[0].GetProperty("recallCi").GetProperty("high").GetDouble() >= test.GetProperty("perClass")[0].GetProperty("recall").GetDouble());
        Assert.Equal(["circle", "square", "stripes"], results.GetProperty("manifest").GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        var confusion = test.GetProperty("confusion");
        var cellItems = await Data(await client.GetAsync($"/v1/projects/shapes/runs/{run1}/items?actual=circle&predicted=circle"));
        Assert.Equal(confusion[0][0].GetInt32(), cellItems.GetArrayLength());
        var rowItems = await Data(await client.GetAsync($"/v1/projects/shapes/runs/{run1}/items?actual=circle"));
        Assert.Equal(confusion[0].EnumerateArray().Sum(c => c.GetInt32()), rowItems.GetArrayLength());
        Assert.True(rowItems.GetArrayLength() >= 2, "the circle row needs two pictures to relabel");

        // Grad-CAM of one of them is a PNG.
        var first = rowItems[0].GetProperty("item").GetProperty("id").GetInt64();
        var cam = await client.GetAsync($"/v1/projects/shapes/runs/{run1}/gradcam/{first}");
        Assert.Equal("image/png", cam.Content.Headers.ContentType?.MediaType);

        // Fix: two circles relabelled as squares (bulk), recorded; undo brings them back; then do it again for good.
        var two = rowItems.EnumerateArray().Take(2).Select(r => r.GetProperty("item").GetProperty("id").GetInt64()).ToArray();
        var fix = await Data(await client.PostAsJsonAsync("/v1/projects/shapes/fixes", new { action = "relabel", ids = two, label = "square", run = run1 }));
        Assert.Equal(2, fix.GetProperty("changes").GetArrayLength());
        Assert.Equal("circle", fix.GetProperty("changes")[0].GetProperty("before").GetString());
        Assert.True(File.Exists(Path.Combine(dir, "projects", "shapes", "data", "square", Name(rowItems[0]))));
        var undone = await Data(await client.PostAsync($"/v1/projects/shapes/fixes/{fix.GetProperty("id").GetInt64()}/undo", null));
        Assert.True(undone.GetProperty("undone").GetBoolean());
        Assert.True(File.Exists(Path.Combine(dir, "projects", "shapes", "data", "circle", Name(rowItems[0]))));
        await Data(await client.PostAsJsonAsync("/v1/projects/shapes/fixes", new { action = "relabel", ids = two, label = "square", run = run1 }));
        // "None of these", "suspect, ignore" and delete, each undone again.
        var third = rowItems.GetArrayLength() > 2 ? rowItems[2].GetProperty("item").GetProperty("id").GetInt64() : two[0];
        foreach (var action in new[] { "none", "suspect", "delete" })
        {
            var f = await Data(await client.PostAsJsonAsync("/v1/projects/shapes/fixes", new { action, ids = new[] { third } }));
            if (action == "none") Assert.True(Directory.EnumerateFiles(Path.Combine(dir, "projects", "shapes", "data", "_none")).Any());
            await Data(await client.PostAsync($"/v1/projects/shapes/fixes/{f.GetProperty("id").GetInt64()}/undo", null));
        }
        Assert.Equal(42, (await Data(await client.GetAsync("/v1/projects/shapes/estimate"))).GetProperty("images").GetInt32());

        // Retrain: the new run sees the fixes; the comparison names them and the data that moved.
        var (done2, _) = await WaitAsync(client, "shapes", (await Data(await client.PostAsJsonAsync("/v1/projects/shapes/jobs", new { mode = "quick", epochs = 30 }))).GetProperty("id").GetInt64());
        var run2 = done2.GetProperty("run").GetString()!;
        Assert.NotEqual(run1, run2);
        var compare = await Data(await client.GetAsync($"/v1/projects/shapes/compare?a={run1}&b={run2}"));
        Assert.False(compare.GetProperty("runs").GetProperty("sameDataset").GetBoolean());
        Assert.Contains(compare.GetProperty("data").GetProperty("fixes").EnumerateArray(), f => f.GetProperty("action").GetString() == "relabel" && !f.GetProperty("undone").GetBoolean());

        // Promote run2, then roll back to run1: /v1/classify answers with the promoted run each time.
        var png = await File.ReadAllBytesAsync(Path.Combine(dir, "projects", "shapes", "data", "stripes", "stripes-0000.png"));
        foreach (var run in new[] { run2, run1 })
        {
            var promoted = await Data(await client.PostAsJsonAsync($"/v1/projects/shapes/runs/{run}/promote", new { name = "shapes" }));
            Assert.Equal(run, promoted.GetProperty("run").GetString());
            var models = await client.GetStringAsync("/v1/models");
            var answer = await Data(await client.PostAsync("/v1/classify?model=shapes", TestHost.Form(png)));
            Assert.Contains(answer[0].GetProperty("class").GetString(), new[] { "circle", "square", "stripes", "unknown" });
            var serving = await Data(await client.GetAsync("/v1/projects/shapes/serving"));
            Assert.Equal(run, serving.GetProperty("current")[0].GetProperty("run").GetString());
            Assert.Contains("\"shapes\"", models);
        }
        var runs = await Data(await client.GetAsync("/v1/projects/shapes/runs"));
        Assert.Equal(["shapes"], runs.EnumerateArray().Single(r => r.GetProperty("id").GetString() == run1).GetProperty("serves").EnumerateArray().Select(s => s.GetString()));
    }

    /// <summary>Stops the server, then deletes the test's folder (a running server may still touch jobs.db or tmp/).</summary>
    internal sealed class Cleanup(WebApplication app, string dir) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await app.DisposeAsync();
            try { Directory.Delete(dir, true); } catch (IOException) { /* a temp folder left behind is harmless */ }
        }
    }

    private static string Name(JsonElement predicted) => predicted.GetProperty("item").GetProperty("name").GetString()!;

    [Lookout.Tests.Shared.SmallDiskFact]
    public async Task Job_WhenTheDiskFillsUp_FailsSayingSo_TheStudioKeepsWorking_AndTheNextJobTrains()
    {
        using var disk = new Lookout.Tests.Shared.SmallDisk(48L * 1024 * 1024);
        var dir = Path.Combine(disk.Path, "studio");
        var (app, client) = await StartAsync(dir);
        await using var stop = new Cleanup(app, dir);
        await MakeShapesProject(client, dir, "shapes", 40, "circle", "square", "stripes");

        var first = (await Data(await client.PostAsJsonAsync("/v1/projects/shapes/jobs", new { mode = "quick", epochs = 200 }))).GetProperty("id").GetInt64();
        await WaitAsync(client, "shapes", first, e => e.GetProperty("kind").GetString() == "progress");
        var filler = disk.Fill();                                           // the disk fills while the job runs
        var (failed, events) = await WaitAsync(client, "shapes", first, seconds: 120);

        output.WriteLine(string.Join("\n", events.TakeLast(4)));
        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.StartsWith("no space left on the disk", failed.GetProperty("error").GetString());
        Assert.DoesNotContain(disk.Path, failed.GetProperty("error").GetString());
        Assert.Equal(120, (await Data(await client.GetAsync("/v1/projects/shapes"))).GetProperty("classes").EnumerateArray().Sum(c => c.GetProperty("items").GetInt32()));

        File.Delete(filler);
        var second = (await Data(await client.PostAsJsonAsync("/v1/projects/shapes/jobs", new { mode = "quick", epochs = 10 }))).GetProperty("id").GetInt64();
        var (done, _) = await WaitAsync(client, "shapes", second);
        Assert.Equal("done", done.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Cancel_StopsAJob_AndTheNextQueuedOneRuns()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-studio-cancel-").FullName;
        var (app, client) = await StartAsync(dir);
        await using var stop = new Cleanup(app, dir);
        await MakeShapesProject(client, dir, "p", 8, "circle", "square");
        var a = (await Data(await client.PostAsJsonAsync("/v1/projects/p/jobs", new { mode = "better", epochs = 50 }))).GetProperty("id").GetInt64();
        var b = (await Data(await client.PostAsJsonAsync("/v1/projects/p/jobs", new { mode = "quick", epochs = 5 }))).GetProperty("id").GetInt64();
        Assert.Equal("queued", (await Data(await client.GetAsync($"/v1/projects/p/jobs/{b}"))).GetProperty("state").GetString());
        await WaitAsync(client, "p", a, e => e.GetProperty("kind").GetString() == "progress");
        await Data(await client.PostAsync($"/v1/projects/p/jobs/{a}/cancel", null));
        var (ja, _) = await WaitAsync(client, "p", a);
        Assert.Equal("cancelled", ja.GetProperty("state").GetString());
        var (jb, _) = await WaitAsync(client, "p", b);
        Assert.Equal("done", jb.GetProperty("state").GetString());
    }

    [Fact]
    public async Task FineTuningJob_InterruptedByAServerStop_ResumesFromItsCheckpoint_OnTheNextStart()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-studio-resume-").FullName;
        var (app, client) = await StartAsync(dir);
        // 200 pictures and 12 epochs: on an idle machine 20 pictures' epochs took 0.1 s, so a run could finish and export
        // between the test seeing epoch 1 and the stop taking effect (then there is no checkpoint to resume from: seen).
        await MakeShapesProject(client, dir, "p", 100, "circle", "square");
        var id = (await Data(await client.PostAsJsonAsync("/v1/projects/p/jobs", new { mode = "better", epochs = 12 }))).GetProperty("id").GetInt64();
        var (job, _) = await WaitAsync(client, "p", id, e => e.GetProperty("kind").GetString() == "epoch" && e.GetProperty("data").GetProperty("phase").GetString() == "finetune");
        await app.StopAsync();
        await app.DisposeAsync();
        var stopped = new Lookout.Core.Studio.Jobs.JobStore(new Lookout.Core.Studio.ProjectStore(Path.Combine(dir, "projects")).Open("p"));
        Assert.Equal(Lookout.Core.Studio.Jobs.JobState.Running, stopped.Get(id)!.State);

        var clock = Stopwatch.StartNew();
        (app, client) = await StartAsync(dir);
        await using var stop = new Cleanup(app, dir);
        var (done, events) = await WaitAsync(client, "p", id);
        output.WriteLine($"resumed job finished {clock.Elapsed.TotalSeconds:0.0} s after the restart");
        Assert.Equal("done", done.GetProperty("state").GetString());
        Assert.Equal(2, done.GetProperty("attempts").GetInt32());
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "state" && e.GetProperty("data").GetProperty("state").GetString() == "interrupted");
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "message" && e.GetProperty("data").GetProperty("text").GetString()!.Contains("resuming run"));
        var run = done.GetProperty("run").GetString()!;
        var results = await Data(await client.GetAsync($"/v1/projects/p/runs/{run}"));
        var epochs = results.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(1, epochs.Count), epochs); // every epoch once and in order across the stop (early stopping may end it before 12)
        Assert.InRange(epochs.Count, 2, 12);
        Assert.Single(Directory.EnumerateDirectories(Path.Combine(dir, "projects", "p", ".lookout", "runs")));
    }

    [Fact]
    public async Task Job_StoppedAfterItsRunExported_FinishesThatRun_InsteadOfTrainingAnother()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-studio-finish-").FullName;
        var (app, client) = await StartAsync(dir);
        await MakeShapesProject(client, dir, "p", 10, "circle", "square");
        var first = (await Data(await client.PostAsJsonAsync("/v1/projects/p/jobs", new { mode = "quick" }))).GetProperty("id").GetInt64();
        var (done, _) = await WaitAsync(client, "p", first);
        Assert.Equal("done", done.GetProperty("state").GetString());
        var run = done.GetProperty("run").GetString()!;
        await app.StopAsync();
        await app.DisposeAsync();

        // The moment a stop can fall into: the model is exported, its test evaluation not written, the job still running.
        var runDir = Path.Combine(dir, "projects", "p", ".lookout", "runs", run);
        var model = await File.ReadAllBytesAsync(Path.Combine(runDir, "model.onnx"));
        File.Delete(Path.Combine(runDir, "eval.json"));
        var jobs = new Lookout.Core.Studio.Jobs.JobStore(new Lookout.Core.Studio.ProjectStore(Path.Combine(dir, "projects")).Open("p"));
        var stopped = jobs.Enqueue(Lookout.Core.Studio.Jobs.JobMode.Better);
        Assert.True(jobs.Start(stopped.Id));
        jobs.SetRun(stopped.Id, run);

        (app, client) = await StartAsync(dir);
        await using var stop = new Cleanup(app, dir);
        var (finished, events) = await WaitAsync(client, "p", stopped.Id);
        Assert.Equal("done", finished.GetProperty("state").GetString());
        Assert.Equal(run, finished.GetProperty("run").GetString());
        Assert.Contains(events, e => e.GetProperty("kind").GetString() == "message" && e.GetProperty("data").GetProperty("text").GetString()!.Contains("finishing it"));
        Assert.Equal(model, await File.ReadAllBytesAsync(Path.Combine(runDir, "model.onnx"))); // the trained model is kept as it was
        Assert.True(File.Exists(Path.Combine(runDir, "eval.json")));
        var results = await Data(await client.GetAsync($"/v1/projects/p/runs/{run}"));
        Assert.True(results.GetProperty("test").GetProperty("count").GetInt32() > 0);
        Assert.Single(Directory.EnumerateDirectories(Path.Combine(dir, "projects", "p", ".lookout", "runs")));
    }
}

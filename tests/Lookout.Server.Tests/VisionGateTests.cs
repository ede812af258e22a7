using System.Net;
using Lookout.Server.Api;
using Lookout.Server.Metrics;
using Lookout.Server.Vision;
using Microsoft.Extensions.DependencyInjection;

namespace Lookout.Server.Tests;

public class VisionGateTests
{
    private static Task<int> OwnThread(Func<Task<int>> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    [Fact]
    public async Task FullQueue_Fails503AtOnce_WithRetryAfter_AndWaitersStillRun()
    {
        using var gate = new InferenceGate("nanodet", concurrency: 1, queueCapacity: 2, retryAfterSeconds: 3, TimeSpan.FromSeconds(30), new ServerMetrics());
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        // On a thread of its own: the work runs synchronously on the caller's thread once a slot is free, and blocks
        // there; a thread-pool task could wait seconds for a thread while the other test classes run (seen on a full run).
        var running = OwnThread(() => gate.RunAsync(() => { started.Set(); release.Wait(); return 1; }, default)); // takes the only slot
        Assert.True(started.Wait(30_000));
        var queued = gate.RunAsync(() => 2, default);                                    // waits
        var queued2 = gate.RunAsync(() => 3, default);                                   // waits (capacity 2)
        var e = await Assert.ThrowsAsync<ServerOverloadedException>(() => gate.RunAsync(() => 4, default));
        Assert.Equal(3, e.RetryAfterSeconds);
        Assert.Equal(503, e.Status);
        release.Set();
        Assert.Equal(new[] { 1, 2, 3 }, await Task.WhenAll(running, queued, queued2));
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public async Task WaitLongerThanTheTimeout_Is503_NotAHang()
    {
        using var gate = new InferenceGate("faces", 1, 8, 1, TimeSpan.FromMilliseconds(100), new ServerMetrics());
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var running = OwnThread(() => gate.RunAsync(() => { started.Set(); release.Wait(); return 1; }, default));
        Assert.True(started.Wait(30_000));
        var e = await Assert.ThrowsAsync<ServerOverloadedException>(() => gate.RunAsync(() => 2, default));
        Assert.Contains("did not start", e.Message);
        release.Set();
        Assert.Equal(1, await running);
    }

    [Fact]
    public async Task VisionModels_AreNotLoadedAtStartup_NorByClassifyOrFaceList()
    {
        await using var host = await TestHost.StartAsync(o => o with { Detector = "centernet" });
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/classify", TestHost.Form(TestModels.SolidImage(200, 0, 0)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/vision/face/list", null)).StatusCode);
        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.DoesNotContain("model=\"centernet\"", metrics);
        Assert.DoesNotContain("model=\"faces\"", metrics);
        var models = host.App.Services.GetRequiredService<VisionModels>();
        Assert.False(models.DetectorLoaded);
        Assert.False(models.FacesLoaded);
    }

    [Fact]
    public void Options_RejectAnUnknownDetector_AndZeroConcurrency()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-opts-").FullName;
        var ok = new ServerOptions { ModelsDirectory = dir };
        Assert.EndsWith(".lookout", ok.Workspace);
        Assert.Equal(Path.Combine(ok.Workspace, "catalog.db"), ok.CatalogPath);
        Assert.Contains("nanodet", Assert.Throws<Lookout.Core.LookoutException>(() => (ok with { Detector = "yolo" }).Validate()).Message);
        Assert.Contains("concurrency", Assert.Throws<Lookout.Core.LookoutException>(() => (ok with { VisionConcurrency = 0 }).Validate()).Message);
        Directory.Delete(dir);
    }
}

public class OpenApiCoverageTests
{
    [Fact]
    public async Task OpenApi_DocumentsEveryApiRoute_WithItsMethod()
    {
        await using var host = await TestHost.StartAsync();
        var routes = ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)host.App).DataSources.SelectMany(d => d.Endpoints)
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => ("/" + e.RoutePattern.RawText!.Trim('/'),
                e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.Single().ToLowerInvariant()))
            .Where(r => r.Item1 is not ("/" or "/app.js" or "/app.css" or "/openapi.json"))
            .ToList();
        Assert.Contains(("/v1/vision/face/recognize", "post"), routes);
        using var api = System.Text.Json.JsonDocument.Parse(await host.Client.GetStringAsync("/openapi.json"));
        var paths = api.RootElement.GetProperty("paths");
        Assert.All(routes, r => Assert.True(paths.TryGetProperty(r.Item1, out var p) && p.TryGetProperty(r.Item2!, out _), $"{r.Item2} {r.Item1} is not in openapi.json"));
        Assert.Equal(routes.Select(r => r.Item1).Distinct().Order(), paths.EnumerateObject().Select(p => p.Name).Order());
    }
}

public class VisionOverloadTests
{
    [Fact]
    public async Task Burst_BeyondTheDetectorQueue_Gets503WithRetryAfter_InDeepStackShape()
    {
        await using var host = await TestHost.StartAsync(o => o with { VisionConcurrency = 1, QueueCapacity = 1, RetryAfterSeconds = 2 });
        var photo = SamplePhotos.Photo(1);
        // One runs (the first also opens the model, ~1 s), one waits, the rest are refused at once.
        // Task.Run: TestServer may run a handler inline on the caller's thread, which would serialise the burst.
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => host.Client.PostAsync("/v1/vision/detection", TestHost.Form(photo, "image")))));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(refused);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        Assert.Equal("2", refused[0].Headers.RetryAfter?.ToString());
        using var doc = System.Text.Json.JsonDocument.Parse(await refused[0].Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
        Assert.Contains("busy", doc.RootElement.GetProperty("error").GetString());
    }
}

using System.Diagnostics;
using System.Net;
using Lookout.Server.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Lookout.Server.Tests;

public class BatchingTests
{
    private static async Task<(TestHost Host, Func<GatedModel> Model)> GatedHost(Func<ServerOptions, ServerOptions> tweak)
    {
        GatedModel? gated = null;
        // One pass at a time (unless the test says otherwise), so the test decides what waits behind the gated pass.
        var host = await TestHost.StartAsync(o => tweak(o with { InferenceWorkers = 1 }), new TestLoader(m => gated = new GatedModel(m)));
        return (host, () => gated!);
    }

    private static async Task WaitForQueue(TestHost host, int depth)
    {
        var batcher = host.App.Services.GetRequiredService<ModelRegistry>().Batcher("colours");
        var clock = Stopwatch.StartNew();
        while (batcher.QueueDepth != depth)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"queue depth stuck at {batcher.QueueDepth}, expected {depth}");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task ConcurrentRequests_AreCoalesced_AndEachGetsItsOwnAnswer()
    {
        var (host, model) = await GatedHost(o => o with { MaxBatchSize = 8, MaxBatchWait = TimeSpan.Zero });
        await using var _ = host;
        model().Gate.Reset();
        var first = host.Client.PostAsync("/v1/classify?top=1", TestHost.Form(TestModels.SolidImage(250, 0, 0)));
        Assert.True(await model().Entered.WaitAsync(TimeSpan.FromSeconds(10)));
        var colours = new[] { (250, 0, 0, "red"), (0, 250, 0, "green"), (0, 0, 250, "blue"), (0, 250, 0, "green"), (250, 0, 0, "red"), (0, 0, 250, "blue") };
        var queued = colours.Select(c => host.Client.PostAsync("/v1/classify?top=1", TestHost.Form(TestModels.SolidImage(c.Item1, c.Item2, c.Item3)))).ToList();
        await WaitForQueue(host, colours.Length);
        model().Gate.Set();

        Assert.Equal("red", (await ClassifyApiTests.ReadData(await first))[0].Class);
        for (int i = 0; i < colours.Length; i++)
            Assert.Equal(colours[i].Item4, (await ClassifyApiTests.ReadData(await queued[i]))[0].Class);
        Assert.Equal([1, 6], model().Batches); // the six waiting requests went through in one forward pass
        Assert.Contains("lookout_batch_size_bucket{model=\"colours\",le=\"8\"} 2\n", await host.Client.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task TwoWorkers_RunASecondPassWhileTheFirstIsStillRunning()
    {
        var (host, model) = await GatedHost(o => o with { InferenceWorkers = 2, MaxBatchSize = 8 });
        await using var _ = host;
        model().Gate.Reset();
        var first = host.Client.PostAsync("/v1/classify?top=1", TestHost.Form(TestModels.SolidImage(250, 0, 0)));
        Assert.True(await model().Entered.WaitAsync(TimeSpan.FromSeconds(10)));   // pass 1 holds the gate
        var second = host.Client.PostAsync("/v1/classify?top=1", TestHost.Form(TestModels.SolidImage(0, 0, 250)));
        Assert.True(await model().Entered.WaitAsync(TimeSpan.FromSeconds(10)));   // pass 2 started anyway: no queueing behind pass 1
        model().Gate.Set();
        Assert.Equal("red", (await ClassifyApiTests.ReadData(await first))[0].Class);
        Assert.Equal("blue", (await ClassifyApiTests.ReadData(await second))[0].Class);
        Assert.Equal([1, 1], model().Batches);
    }

    [Fact]
    public async Task FullQueue_Answers503WithRetryAfter_AtOnce_AndQueuedRequestsStillSucceed()
    {
        var (host, model) = await GatedHost(o => o with { MaxBatchSize = 1, QueueCapacity = 2, MaxBatchWait = TimeSpan.Zero });
        await using var _ = host;
        model().Gate.Reset();
        var image = TestModels.SolidImage(250, 0, 0);
        var running = host.Client.PostAsync("/v1/classify", TestHost.Form(image));
        Assert.True(await model().Entered.WaitAsync(TimeSpan.FromSeconds(10)));
        var queued = Enumerable.Range(0, 2).Select(_ => host.Client.PostAsync("/v1/classify", TestHost.Form(image))).ToList();
        await WaitForQueue(host, 2);

        var clock = Stopwatch.StartNew();
        var rejected = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.Client.PostAsync("/v1/classify", TestHost.Form(image))));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "overload must be answered at once, not after a wait");
        foreach (var r in rejected)
        {
            await ClassifyApiTests.AssertError(r, 503, "busy");
            Assert.Equal(TimeSpan.FromSeconds(1), r.Headers.RetryAfter?.Delta);
        }

        model().Gate.Set();
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        foreach (var q in queued) Assert.Equal(HttpStatusCode.OK, (await q).StatusCode);
    }

    [Fact]
    public async Task RequestTimeout_Answers503_InsteadOfHanging()
    {
        var (host, model) = await GatedHost(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        await using var _ = host;
        model().Gate.Reset();
        var clock = Stopwatch.StartNew();
        var response = await host.Client.PostAsync("/v1/classify", TestHost.Form(TestModels.SolidImage(1, 2, 3)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        await ClassifyApiTests.AssertError(response, 503, "did not answer");
        Assert.NotNull(response.Headers.RetryAfter);
        model().Gate.Set();
    }

    [Fact]
    public async Task CancelledRequest_IsSkipped_NotRunThroughTheModel()
    {
        var (host, model) = await GatedHost(o => o with { MaxBatchSize = 4, MaxBatchWait = TimeSpan.Zero });
        await using var _ = host;
        model().Gate.Reset();
        var image = TestModels.SolidImage(250, 0, 0);
        var running = host.Client.PostAsync("/v1/classify", TestHost.Form(image));
        Assert.True(await model().Entered.WaitAsync(TimeSpan.FromSeconds(10)));
        using var cancel = new CancellationTokenSource();
        var abandoned = host.Client.PostAsync("/v1/classify", TestHost.Form(image), cancel.Token);
        var kept = host.Client.PostAsync("/v1/classify", TestHost.Form(image));
        await WaitForQueue(host, 2);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        await WaitForQueue(host, 1); // the server saw the abort: the abandoned request left the queue
        model().Gate.Set();
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await kept).StatusCode);
        Assert.Equal([1, 1], model().Batches); // the abandoned request never reached the model
    }
}

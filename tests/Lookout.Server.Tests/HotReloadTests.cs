using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Lookout.Server.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Lookout.Server.Tests;

public class HotReloadTests
{
    private static string[] Labels(int v) => [$"red_v{v}", $"green_v{v}", $"blue_v{v}"];

    [Fact]
    public async Task SwappingTheFile5Times_Under200ConcurrentRequests_FailsNone_AndAnswersSwitch()
    {
        await using var host = await TestHost.StartAsync(seed: dir => TestModels.Write(dir, "colours", TestModels.ColourClassifier(Labels(1))));
        var registry = host.App.Services.GetRequiredService<ModelRegistry>();
        var image = TestModels.SolidImage(250, 10, 10);
        var failures = new ConcurrentBag<string>();
        var seen = new ConcurrentDictionary<string, int>();
        int sent = 0;
        var swapsDone = new TaskCompletionSource();

        async Task Client()
        {
            while (Interlocked.Increment(ref sent) <= 200 || !swapsDone.Task.IsCompleted)
            {
                var response = await host.Client.PostAsync("/v1/classify?top=1", TestHost.Form(image));
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK) { failures.Add($"{(int)response.StatusCode} {body}"); continue; }
                seen.AddOrUpdate((await ClassifyApiTests.ReadData(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) }))[0].Class, 1, (_, n) => n + 1);
            }
        }

        var clients = Enumerable.Range(0, 16).Select(_ => Task.Run(Client)).ToList();
        for (int v = 2; v <= 6; v++)
        {
            await Task.Delay(60);
            TestModels.Write(host.ModelsDir, "colours", TestModels.ColourClassifier(Labels(v)));
            var clock = Stopwatch.StartNew();
            while (registry.List().Single().Version < v)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"version {v} was never loaded");
                await Task.Delay(10);
            }
        }
        swapsDone.SetResult();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.True(seen.Values.Sum() >= 200);
        Assert.True(seen.Keys.Count(k => k.StartsWith("red_v", StringComparison.Ordinal)) >= 2, string.Join(",", seen.Keys));
        Assert.All(seen.Keys, k => Assert.StartsWith("red_v", k));
        Assert.Equal("red_v6", (await ClassifyApiTests.ReadData(await host.Client.PostAsync("/v1/classify", TestHost.Form(image))))[0].Class);
        var loaded = host.Loader.Loaded;
        Assert.Equal(6, loaded.Count);
        Assert.All(loaded.Take(5), m => Assert.True(m.Disposed)); // every old session released after its requests drained
        Assert.False(loaded[5].Disposed);
    }

    [Fact]
    public async Task InFlightRequest_FinishesOnOldVersion_WhichIsDisposedOnlyAfterward()
    {
        var gates = new List<GatedModel>();
        var loader = new TestLoader(m => { var g = new GatedModel(m); lock (gates) gates.Add(g); return g; });
        await using var host = await TestHost.StartAsync(o => o with { WatchModels = false }, loader,
            dir => TestModels.Write(dir, "colours", TestModels.ColourClassifier(Labels(1))));
        gates[0].Gate.Reset();
        var inFlight = host.Client.PostAsync("/v1/classify?top=1", TestHost.Form(TestModels.SolidImage(250, 0, 0)));
        Assert.True(await gates[0].Entered.WaitAsync(TimeSpan.FromSeconds(10)));

        TestModels.Write(host.ModelsDir, "colours", TestModels.ColourClassifier(Labels(2)));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/models/colours/reload", null)).StatusCode);
        var v1 = (TrackedModel)gates[0].Inner;
        Assert.False(v1.Disposed); // still in use by the request at the gate

        gates[0].Gate.Set();
        Assert.Equal("red_v1", (await ClassifyApiTests.ReadData(await inFlight))[0].Class);
        Assert.Equal("red_v2", (await ClassifyApiTests.ReadData(await host.Client.PostAsync("/v1/classify", TestHost.Form(TestModels.SolidImage(250, 0, 0)))))[0].Class);
        var clock = Stopwatch.StartNew();
        while (!v1.Disposed && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10);
        Assert.True(v1.Disposed);
    }

    [Fact]
    public async Task Watcher_AddsNewModelFiles_AndRemovesDeletedOnes()
    {
        await using var host = await TestHost.StartAsync();
        var image = TestModels.SolidImage(10, 240, 10);
        TestModels.Write(host.ModelsDir, "second", TestModels.ColourClassifier(["r2", "g2", "b2"]));
        await Eventually(async () => (await host.Client.PostAsync("/v1/classify?model=second&top=1", TestHost.Form(image))).IsSuccessStatusCode);
        Assert.Equal("g2", (await ClassifyApiTests.ReadData(await host.Client.PostAsync("/v1/classify?model=second", TestHost.Form(image))))[0].Class);

        File.Delete(Path.Combine(host.ModelsDir, "second.onnx"));
        await Eventually(async () => (await host.Client.PostAsync("/v1/classify?model=second", TestHost.Form(image))).StatusCode == HttpStatusCode.NotFound);
        Assert.Equal("green", (await ClassifyApiTests.ReadData(await host.Client.PostAsync("/v1/classify", TestHost.Form(image))))[0].Class);

        File.WriteAllText(Path.Combine(host.ModelsDir, "junk.onnx"), "half-written"); // a bad file never takes the server down
        await Task.Delay(400);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/classify", TestHost.Form(image))).StatusCode);
        Assert.Contains("lookout_model_reloads_total{model=\"junk\",result=\"failed\"}", await host.Client.GetStringAsync("/metrics"));
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "condition never became true");
            await Task.Delay(50);
        }
    }
}

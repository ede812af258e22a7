using System.Net;
using System.Text.Json;
using Lookout.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Lookout.Server.Tests;

/// <summary>Liveness vs readiness: ready needs a model and no drain; live only needs the process; /healthz is unchanged.</summary>
public class ReadinessTests
{
    [Fact]
    public async Task Ready_WithAModel_NotReady_WhileDraining_LiveAndHealthzUnchanged()
    {
        await using var host = await TestHost.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz/ready")).StatusCode);
        Assert.True(host.App.Services.GetRequiredService<ServingState>().BeginDrain());

        var ready = await host.Client.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
            Assert.Equal("draining", body.RootElement.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz")).StatusCode);
        // Draining still serves: only the readiness answer changes.
        using var form = TestHost.Form(TestModels.SolidImage(230, 20, 20));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync("/v1/classify", form)).StatusCode);
    }

    [Fact]
    public async Task NotReady_UntilAModelIsLoaded()
    {
        await using var host = await TestHost.StartAsync(seed: _ => { });
        var ready = await host.Client.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using (var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()))
            Assert.Equal("no model loaded", body.RootElement.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz/live")).StatusCode);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Lookout.Server.Tests;

public class SystemApiTests
{
    [Fact]
    public async Task Healthz_OpenApi_AndPage_AreServed()
    {
        await using var host = await TestHost.StartAsync();
        using (var health = JsonDocument.Parse(await host.Client.GetStringAsync("/healthz")))
        {
            Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
            Assert.Equal(1, health.RootElement.GetProperty("models").GetInt32());
        }

        using (var api = JsonDocument.Parse(await host.Client.GetStringAsync("/openapi.json")))
        {
            Assert.StartsWith("3.", api.RootElement.GetProperty("openapi").GetString());
            var paths = api.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
            foreach (var route in new[] { "/v1/classify", "/v1/models", "/v1/models/{name}/reload", "/v1/vision/custom/{model}", "/v1/vision/scene", "/v1/vision/custom/list", "/v1/vision/listmodels", "/healthz", "/metrics" })
                Assert.Contains(route, paths);
        }

        var page = await host.Client.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("app.js", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "")); // nothing from a CDN
        var js = await host.Client.GetStringAsync("/app.js");
        Assert.DoesNotContain("innerHTML", js); // labels are user data: textContent only
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/app.css")).StatusCode);
    }

    [Fact]
    public async Task Metrics_CountRequestsByRouteAndStatus_BatchSizes_QueueDepth_LoadTime()
    {
        await using var host = await TestHost.StartAsync();
        await host.Client.PostAsync("/v1/classify", TestHost.Form(TestModels.SolidImage(9, 9, 9)));
        await host.Client.PostAsync("/v1/classify?model=zzz", TestHost.Form(TestModels.SolidImage(9, 9, 9)));
        var response = await host.Client.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("lookout_http_requests_total{route=\"/v1/classify\",method=\"POST\",status=\"200\"} 1\n", text);
        Assert.Contains("lookout_http_requests_total{route=\"/v1/classify\",method=\"POST\",status=\"404\"} 1\n", text);
        Assert.Contains("# TYPE lookout_http_request_duration_seconds histogram", text);
        Assert.Contains("lookout_batch_size_count{model=\"colours\"} 1\n", text);
        Assert.Contains("lookout_batch_size_bucket{model=\"colours\",le=\"+Inf\"} 1\n", text);
        Assert.Contains("lookout_queue_depth{model=\"colours\"} 0\n", text);
        Assert.Contains("lookout_model_load_seconds{model=\"colours\"} ", text);
        Assert.Contains("lookout_model_reloads_total{model=\"colours\",result=\"ok\"} 1\n", text);
    }

    [Fact]
    public async Task ApiKey_GuardsV1AndMetrics_AcceptsHeaderOrBearer_LeavesHealthOpen()
    {
        var keyFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(keyFile, "s3cret-key-123\n");
        await using var host = await TestHost.StartAsync(o => o with { ApiKeyFile = keyFile });
        var png = TestModels.SolidImage(200, 0, 0);

        var missing = await host.Client.PostAsync("/v1/classify", TestHost.Form(png));
        await ClassifyApiTests.AssertError(missing, 401);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/metrics")).StatusCode);

        var wrong = new HttpRequestMessage(HttpMethod.Post, "/v1/classify") { Content = TestHost.Form(png) };
        wrong.Headers.Add("X-Api-Key", "s3cret-key-124");
        await ClassifyApiTests.AssertError(await host.Client.SendAsync(wrong), 401);

        var header = new HttpRequestMessage(HttpMethod.Post, "/v1/classify") { Content = TestHost.Form(png) };
        header.Headers.Add("X-Api-Key", "s3cret-key-123");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(header)).StatusCode);

        var bearer = new HttpRequestMessage(HttpMethod.Post, "/v1/vision/scene") { Content = TestHost.Form(png, "image") };
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret-key-123");
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(bearer)).StatusCode);

        var deepstack = await host.Client.PostAsync("/v1/vision/scene", TestHost.Form(png, "image"));
        Assert.Equal(HttpStatusCode.Unauthorized, deepstack.StatusCode);
        using var doc = JsonDocument.Parse(await deepstack.Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("success").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/")).StatusCode);
        File.Delete(keyFile);
    }

    [Fact]
    public async Task Cors_ClosedByDefault_OpenOnlyToConfiguredOrigins()
    {
        await using (var closed = await TestHost.StartAsync())
        {
            var preflight = Preflight("https://evil.example");
            var response = await closed.Client.SendAsync(preflight);
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        }
        await using var open = await TestHost.StartAsync(o => o with { CorsOrigins = ["https://ha.local"] });
        var ok = await open.Client.SendAsync(Preflight("https://ha.local"));
        Assert.Equal("https://ha.local", ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var other = await open.Client.SendAsync(Preflight("https://evil.example"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/classify");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        return request;
    }
}

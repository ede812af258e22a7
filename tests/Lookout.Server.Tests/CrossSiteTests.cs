using System.Net;
using System.Text.Json;
using Lookout.Server.Hosting;

namespace Lookout.Server.Tests;

/// <summary>
/// Cross-site request forgery: a foreign web page must not drive the API's POST routes (enrol "mallory", delete a
/// person, reload models, burn CPU on classify), while same-origin pages and non-browser clients keep working.
/// TestServer requests go to http://localhost, so that is the server's own origin here.
/// </summary>
public sealed class CrossSiteTests(VisionHost vision) : IClassFixture<VisionHost>
{
    private HttpClient Client => vision.Client;

    private static HttpRequestMessage Post(string url, HttpContent content, string? origin = null, string? fetchSite = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (fetchSite is not null) request.Headers.Add("Sec-Fetch-Site", fetchSite);
        return request;
    }

    /// <summary>What an HTML form on another site submits: urlencoded (or multipart) fields, the browser adds the headers.</summary>
    private static FormUrlEncodedContent HtmlForm(params (string, string)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)));

    private async Task<List<string>> Faces()
    {
        using var doc = JsonDocument.Parse(await (await Client.PostAsync("/v1/vision/face/list", null)).Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("faces").EnumerateArray().Select(f => f.GetString()!).ToList();
    }

    [Fact]
    public async Task ForeignPage_CannotEnrolOrDelete_ButNonBrowserAndSameOriginClientsCan()
    {
        // A non-browser client (no Origin, no Sec-Fetch-Site) enrols alice, as Home Assistant would.
        var enrolled = await Client.PostAsync("/v1/vision/face/register", TestHost.Form(SamplePhotos.Photo(3), "image", "a.jpg", ("userid", "alice")));
        Assert.Equal(HttpStatusCode.OK, enrolled.StatusCode);

        // The attack as a browser sends it: multipart form post with the foreign page's Origin and Sec-Fetch-Site.
        var mallory = await Client.SendAsync(Post("/v1/vision/face/register",
            TestHost.Form(SamplePhotos.Photo(1), "image", "m.jpg", ("userid", "mallory")), "https://evil.example", "cross-site"));
        await AssertDeepStack403(mallory);
        var delete = await Client.SendAsync(Post("/v1/vision/face/delete", HtmlForm(("userid", "alice")), "https://evil.example", "cross-site"));
        await AssertDeepStack403(delete);
        // Older browsers send only Origin; a sandboxed or file:// page sends "null".
        await AssertDeepStack403(await Client.SendAsync(Post("/v1/vision/face/delete", HtmlForm(("userid", "alice")), "https://evil.example")));
        await AssertDeepStack403(await Client.SendAsync(Post("/v1/vision/face/delete", HtmlForm(("userid", "alice")), "null")));
        // A sibling site (another port or subdomain of the same site) is not this origin either.
        await AssertDeepStack403(await Client.SendAsync(Post("/v1/vision/face/delete", HtmlForm(("userid", "alice")), "http://localhost:9999", "same-site")));
        Assert.Equal(["alice"], await Faces());

        // The server's own page (same origin) may delete: the browser says so in both headers.
        var own = await Client.SendAsync(Post("/v1/vision/face/delete", HtmlForm(("userid", "alice")), "http://localhost", "same-origin"));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Empty(await Faces());
    }

    [Fact]
    public async Task EnvelopeRoutes_Refuse403_InTheEnvelope_AndReadsStayOpen()
    {
        var png = TestModels.SolidImage(200, 0, 0);
        var classify = await Client.SendAsync(Post("/v1/classify", TestHost.Form(png), "https://evil.example", "cross-site"));
        var body = await ClassifyApiTests.AssertError(classify, 403, "cross-site");
        var reload = await Client.SendAsync(Post("/v1/models/colours/reload", new StringContent(""), fetchSite: "cross-site"));
        await ClassifyApiTests.AssertError(reload, 403, "cross-site");
        Assert.DoesNotContain("evil", body);

        // Same origin by Origin alone (browsers without Sec-Fetch-Site), and no browser headers at all, both work.
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(Post("/v1/classify", TestHost.Form(png), "http://localhost"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsync("/v1/classify", TestHost.Form(png))).StatusCode);
        // Reads change nothing: a foreign page's GET is not refused here (CORS keeps the answer from its script).
        var get = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        get.Headers.Add("Origin", "https://evil.example");
        get.Headers.Add("Sec-Fetch-Site", "cross-site");
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(get)).StatusCode);
    }

    [Fact]
    public async Task OriginsAllowedWithCors_MayPost_OthersStillMayNot()
    {
        await using var host = await TestHost.StartAsync(o => o with { CorsOrigins = ["https://ha.local:8123/"] });
        var png = TestModels.SolidImage(200, 0, 0);
        var allowed = await host.Client.SendAsync(Post("/v1/classify", TestHost.Form(png), "https://ha.local:8123", "cross-site"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("https://ha.local:8123", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(Post("/v1/classify", TestHost.Form(png), "https://HA.local:8123", "cross-site"))).StatusCode);
        await ClassifyApiTests.AssertError(await host.Client.SendAsync(Post("/v1/classify", TestHost.Form(png), "https://ha.local:8124", "cross-site")), 403);
    }

    [Theory]
    [InlineData(null, null, true)]                                   // curl, deepstack-python, Node-RED
    [InlineData("same-origin", "http://lookout:8080", true)]
    [InlineData("same-origin", "https://public.example", true)]      // behind a proxy that rewrites Host: the browser's word wins
    [InlineData("none", null, true)]
    [InlineData("cross-site", "https://evil.example", false)]
    [InlineData("cross-site", null, false)]
    [InlineData("same-site", "http://lookout:9000", false)]
    [InlineData(null, "http://lookout:8080", true)]
    [InlineData(null, "HTTP://Lookout:8080/", true)]
    [InlineData(null, "http://lookout", false)]
    [InlineData(null, "https://lookout:8080", false)]
    [InlineData(null, "null", false)]
    [InlineData("cross-site", "https://ha.local", true)]             // allowed by the operator
    [InlineData(null, "https://ha.local:443", true)]
    public void Decision_FromHeaders(string? fetchSite, string? origin, bool allowed)
    {
        var own = new[] { CrossSiteGuard.Normalize("http://lookout:8080") };
        var list = new HashSet<string> { CrossSiteGuard.Normalize("https://ha.local") };
        Assert.Equal(allowed, CrossSiteGuard.IsAllowed(fetchSite, origin, own, list));
    }

    private static async Task AssertDeepStack403(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
        Assert.Contains("cross-site", doc.RootElement.GetProperty("error").GetString());
    }
}

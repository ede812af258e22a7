using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Lookout.Server.Tests.Studio;

public class StudioApiTests
{
    private static async Task<(Microsoft.AspNetCore.Builder.WebApplication App, HttpClient Client, string Dir)> StartAsync(Func<ServerOptions, ServerOptions>? tweak = null)
    {
        var dir = Directory.CreateTempSubdirectory("lookout-studio-api-").FullName;
        var options = new ServerOptions { StudioDirectory = Path.Combine(dir, "projects"), Workspace = Path.Combine(dir, "ws") };
        if (tweak is not null) options = tweak(options);
        var app = LookoutServer.BuildApp(options, configure: b => b.WebHost.UseTestServer());
        await app.StartAsync();
        return (app, app.GetTestClient(), dir);
    }

    private static async Task<JsonElement> Data(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("data").Clone();
    }

    [Fact]
    public async Task Projects_Classes_Upload_Label_Exclude_OverHttp_WithTheEnvelope()
    {
        var (app, client, dir) = await StartAsync();
        await using var _ = app;
        Assert.Equal("home", (await Data(await client.PostAsJsonAsync("/v1/projects", new { name = "home", backbone = "generated" }))).GetProperty("name").GetString());
        await Data(await client.PostAsJsonAsync("/v1/projects/home/classes", new { name = "cat" }));
        var upload = new ByteArrayContent(StudioMedia.Textured(200, 40, 40, 1));
        upload.Headers.ContentType = new("application/octet-stream");
        var added = await Data(await client.PostAsync("/v1/projects/home/uploads?name=a.png", upload));
        Assert.Equal("added", added.GetProperty("status").GetString());
        var id = added.GetProperty("ids")[0].GetInt64();
        var inbox = await Data(await client.GetAsync("/v1/projects/home/items?view=inbox"));
        Assert.Equal(id, inbox.GetProperty("items")[0].GetProperty("id").GetInt64());
        Assert.True(inbox.GetProperty("items")[0].GetProperty("sharpness").GetDouble() > 60);

        var changes = await Data(await client.PostAsJsonAsync("/v1/projects/home/labels", new { ids = new[] { id }, label = "cat" }));
        Assert.Equal(JsonValueKind.Null, changes[0].GetProperty("before").ValueKind);
        Assert.Equal(1, (await Data(await client.GetAsync("/v1/projects/home"))).GetProperty("classes")[0].GetProperty("items").GetInt32());

        var thumb = await client.GetAsync($"/v1/projects/home/thumbs/{added.GetProperty("sha").GetString()}");
        Assert.Equal("image/jpeg", thumb.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", thumb.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/projects/home/thumbs/..%2F..%2Fcatalog.db")).StatusCode);

        // Errors keep the envelope with the right status; a multipart form (what a foreign page could post) is refused.
        await ClassifyApiTests.AssertError(await client.PostAsJsonAsync("/v1/projects/home/labels", new { ids = new[] { id }, label = "dog" }), 404);
        await ClassifyApiTests.AssertError(await client.PostAsJsonAsync("/v1/projects/home/classes/cat/rename", new { to = "a/b" }), 400);
        await ClassifyApiTests.AssertError(await client.GetAsync("/v1/projects/nope"), 404);
        await ClassifyApiTests.AssertError(await client.PostAsync("/v1/projects/home/uploads", TestHost.Form(StudioMedia.Textured(1, 2, 3, 4))), 415);
        Directory.Delete(dir, true);
    }

    [Lookout.Tests.Shared.SmallDiskFact]
    public async Task Upload_WhenTheDiskIsFull_Is507_KeepsWhatWasThere_AndWorksOnceThereIsRoom()
    {
        using var disk = new Lookout.Tests.Shared.SmallDisk(8L * 1024 * 1024);
        var (app, client, dir) = await StartAsync(o => o with { StudioDirectory = Path.Combine(disk.Path, "projects") });
        await using var _ = app;
        await Data(await client.PostAsJsonAsync("/v1/projects", new { name = "home", backbone = "generated" }));
        async Task<HttpResponseMessage> Upload(int seed, string name)
        {
            var body = new ByteArrayContent(StudioMedia.Textured(40 * seed, 200, 100, seed));
            body.Headers.ContentType = new("application/octet-stream");
            return await client.PostAsync($"/v1/projects/home/uploads?name={name}", body);
        }
        var first = (await Data(await Upload(1, "a.png"))).GetProperty("ids")[0].GetInt64();
        Assert.False((await Data(await client.GetAsync("/v1/projects/home"))).GetProperty("diskLow").GetBoolean());
        var filler = disk.Fill();
        var full = await Data(await client.GetAsync("/v1/projects/home"));          // the studio warns before the next write fails
        Assert.True(full.GetProperty("diskLow").GetBoolean());
        Assert.InRange(full.GetProperty("diskFreeBytes").GetInt64(), 0, 800 * 1024);

        await ClassifyApiTests.AssertError(await Upload(2, "b.png"), 507, "disk is full");

        var items = (await Data(await client.GetAsync("/v1/projects/home/items?view=inbox"))).GetProperty("items");
        Assert.Equal([first], items.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Empty(Directory.GetFiles(disk.Path, "*.tmp", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(disk.Path, "*.part", SearchOption.AllDirectories));
        File.Delete(filler);
        Assert.False((await Data(await client.GetAsync("/v1/projects/home"))).GetProperty("diskLow").GetBoolean());
        Assert.Equal("added", (await Data(await Upload(2, "b.png"))).GetProperty("status").GetString());
        Assert.Equal(2, (await Data(await client.GetAsync("/v1/projects/home/items?view=inbox"))).GetProperty("items").GetArrayLength());
        Directory.Delete(dir, true);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Origin", "null")]
    public async Task StateChanges_FromAForeignPage_AreRefused(string header, string value)
    {
        var (app, client, dir) = await StartAsync();
        await using var _ = app;
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/projects") { Content = JsonContent.Create(new { name = "evil" }) };
        request.Headers.TryAddWithoutValidation(header, value);
        await ClassifyApiTests.AssertError(await client.SendAsync(request), 403);
        var projects = Path.Combine(dir, "projects");
        Assert.True(!Directory.Exists(projects) || !Directory.EnumerateDirectories(projects).Any(), "a refused request created a project");
        // The same request from the studio's own page goes through.
        var own = new HttpRequestMessage(HttpMethod.Post, "/v1/projects") { Content = JsonContent.Create(new { name = "mine" }) };
        own.Headers.Add("Sec-Fetch-Site", "same-origin");
        own.Headers.Add("Origin", "http://localhost");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(own)).StatusCode);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Studio_OnTheLan_NeedsAnApiKey()
    {
        var o = new ServerOptions { StudioDirectory = "/tmp/x", Urls = "http://0.0.0.0:8080" };
        Assert.Contains("needs an API key", Assert.Throws<Lookout.Core.LookoutException>(() => o.Validate()).Message);
        Assert.Throws<Lookout.Core.LookoutException>(() => (o with { Urls = "http://192.168.1.5:8080" }).Validate());
        Assert.Throws<Lookout.Core.LookoutException>(() => (o with { Urls = "http://127.0.0.1:8080;http://*:9000" }).Validate());
        Assert.Null((o with { Urls = "http://127.0.0.1:8080;http://[::1]:8080;http://localhost:9000" }).Validate());
        Assert.Equal("s3cret-key-1", (o with { ApiKey = "s3cret-key-1" }).Validate());
        Assert.Throws<Lookout.Core.LookoutException>(() => (o with { Urls = "http://127.0.0.1:1", ImportAllowedRanges = ["not-a-range"] }).Validate());
    }

    [Fact]
    public async Task WithAnApiKey_TheBrowserLogsInOnce_AndTheCookieOpensTheStudioRoutes()
    {
        var (app, client, dir) = await StartAsync(o => o with { ApiKey = "s3cret-key-123", Urls = "http://0.0.0.0:0" });
        await using var _ = app;
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/projects")).StatusCode);
        var status = await Data(await client.GetAsync("/v1/session"));
        Assert.True(status.GetProperty("required").GetBoolean());
        Assert.False(status.GetProperty("loggedIn").GetBoolean());
        await ClassifyApiTests.AssertError(await client.PostAsJsonAsync("/v1/session", new { key = "wrong-key-123" }), 401);

        var login = await client.PostAsJsonAsync("/v1/session", new { key = "s3cret-key-123" });
        var cookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("s3cret", cookie);
        var withCookie = new HttpRequestMessage(HttpMethod.Get, "/v1/projects");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(withCookie)).StatusCode);
        var forged = new HttpRequestMessage(HttpMethod.Get, "/v1/projects");
        forged.Headers.Add("Cookie", "lookout_session=" + new string('A', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(forged)).StatusCode);
        var keyed = new HttpRequestMessage(HttpMethod.Get, "/v1/projects");
        keyed.Headers.Add("X-Api-Key", "s3cret-key-123");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(keyed)).StatusCode);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task OpenApi_IsGenerated_AndDocumentsEveryStudioRoute()
    {
        var (app, client, dir) = await StartAsync();
        await using var host = app;
        var routes = ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints)
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => (System.Text.RegularExpressions.Regex.Replace("/" + e.RoutePattern.RawText!.Trim('/'), @"\{(\w+):\w+\}", "{$1}"),
                e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.Single().ToLowerInvariant()))
            .Where(r => r.Item1.StartsWith("/v1/projects", StringComparison.Ordinal) || r.Item1 == "/v1/session")
            .ToList();
        Assert.True(routes.Count >= 18, $"{routes.Count} studio routes");
        using var api = JsonDocument.Parse(await client.GetStringAsync("/openapi.json"));
        var paths = api.RootElement.GetProperty("paths");
        Assert.All(routes, r => Assert.True(paths.TryGetProperty(r.Item1, out var p) && p.TryGetProperty(r.Item2!, out _), $"{r.Item2} {r.Item1} is not in openapi.json"));
        // Typed answers are described by schema, not only by name.
        var items = paths.GetProperty("/v1/projects/{project}/items").GetProperty("get").GetProperty("responses").GetProperty("200").ToString();
        Assert.Contains("application/json", items);
        Assert.Contains("multipart/form-data", paths.GetProperty("/v1/classify").GetProperty("post").GetProperty("requestBody").ToString());
        Assert.Contains("min_sharpness", paths.GetProperty("/v1/classify").GetProperty("post").GetProperty("requestBody").ToString());
        var page = await client.GetAsync("/studio");
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html);
        var js = await client.GetStringAsync("/studio.js");
        Assert.True(js.Length > 10_000, "the studio bundle is embedded");
        Assert.DoesNotContain("eval(", js);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Classify_CanAnswerTooBlurryToTell_WhenAsked()
    {
        await using var host = await TestHost.StartAsync();
        var sharp = StudioMedia.Textured(220, 20, 20, 5, 256, 192);
        var blurry = StudioMedia.Textured(220, 20, 20, 5, 256, 192, blur: 6);
        async Task<string> Top(byte[] image, string? min)
        {
            var form = min is null ? TestHost.Form(image) : TestHost.Form(image, fields: ("min_sharpness", min));
            using var doc = JsonDocument.Parse(await (await host.Client.PostAsync("/v1/classify", form)).Content.ReadAsStringAsync());
            return doc.RootElement.GetProperty("data")[0].GetProperty("class").GetString()!;
        }
        Assert.Equal("red", await Top(blurry, null));             // not asked: the model answers as always
        Assert.Equal("too blurry to tell", await Top(blurry, "60"));
        Assert.Equal("red", await Top(sharp, "60"));
        await ClassifyApiTests.AssertError(await host.Client.PostAsync("/v1/classify", TestHost.Form(sharp, fields: ("min_sharpness", "-1"))), 400);
    }
}

public class StudioWebUnitTests
{
    /// <summary>The studio's TypeScript logic (selection, rubber band, virtual window, hotkeys, undo, segments) under node's test runner.</summary>
    [Fact]
    public async Task TypeScriptUnitTests_Pass()
    {
        var web = Path.Combine(RepoRoot(), "src", "Lookout.Server", "Studio", "Web");
        var psi = new System.Diagnostics.ProcessStartInfo("npm", "test --silent") { WorkingDirectory = web, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var text = await output + error;
        Assert.True(p.ExitCode == 0, text);
        Assert.Matches(@"# pass \d+", text);
        Assert.Contains("# fail 0", text);
        // Labels and file names are user data: the app renders them as text only, never as HTML.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(web, "src")))
            Assert.DoesNotContain("innerHTML", File.ReadAllText(file), StringComparison.OrdinalIgnoreCase);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lookout.slnx"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }
}

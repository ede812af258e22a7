using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Lookout.Server.Tests;

/// <summary>
/// Drives the real page in Debian's chromium (installed by scripts/setup.sh) against the app on Kestrel on a free
/// loopback port. Playwright's bundled driver is used; no browser is downloaded.
/// </summary>
public class PageBrowserTests
{
    private const string HostileLabel = "<img src=x onerror=\"window.pwned=1\">red";

    [Fact]
    public async Task UploadingAnImage_ShowsPredictedLabel_AsTextNotHtml_AndCameraFlowWorks()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-page-").FullName;
        TestModels.Write(dir, "colours", TestModels.ColourClassifier([HostileLabel, "green", "blue"]));
        await using var app = LookoutServer.BuildApp(new ServerOptions { ModelsDirectory = dir, Urls = "http://127.0.0.1:0", Workspace = Path.Combine(dir, "ws") });
        await app.StartAsync();
        var url = LookoutServer.Addresses(app).Single();
        Assert.StartsWith("http://127.0.0.1:", url);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");
        var context = await browser.NewContextAsync();
        await context.GrantPermissionsAsync(["camera"], new() { Origin = url });
        var page = await context.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add($"{m.Text} ({m.Location})"); };

        await page.GotoAsync(url);
        await Expect(page.Locator("#model option")).ToHaveCountAsync(1);
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "red.png", MimeType = "image/png", Buffer = TestModels.SolidImage(240, 10, 10) });

        var first = page.Locator("#predictions li .label").First;
        await Expect(first).ToHaveTextAsync(HostileLabel);               // shown literally...
        await Expect(page.Locator("#predictions img")).ToHaveCountAsync(0); // ...never parsed as HTML
        Assert.Equal("undefined", await page.EvaluateAsync<string>("typeof window.pwned"));
        await Expect(page.Locator("#predictions li")).ToHaveCountAsync(3);
        await Expect(page.Locator("#latency")).ToContainTextAsync("ms");

        await page.Locator("#camera-start").ClickAsync();
        var video = page.Locator("#camera");
        for (int i = 0; i < 100 && await video.EvaluateAsync<int>("v => v.videoWidth") == 0; i++) await Task.Delay(50); // CSP forbids WaitForFunction's eval
        Assert.True(await video.EvaluateAsync<int>("v => v.videoWidth") > 0, "fake camera never produced a frame");
        await page.Locator("#predictions").EvaluateAsync("e => e.replaceChildren()");
        await page.Locator("#camera-shoot").ClickAsync();
        await Expect(page.Locator("#predictions li")).ToHaveCountAsync(3);
        await Expect(page.Locator("#status")).ToHaveTextAsync("Done.");
        await Expect(first).ToHaveTextAsync("green"); // Chromium's fake camera paints a green test card

        // Detect mode: the server's COCO detector, boxes drawn on a canvas at the photo's own size.
        await page.Locator("#mode").SelectOptionAsync("detect");
        await Expect(page.Locator("#model-row")).ToBeHiddenAsync();
        await page.Locator("#file").SetInputFilesAsync(new FilePayload { Name = "people.jpg", MimeType = "image/jpeg", Buffer = SamplePhotos.Photo(1) });
        await Expect(page.Locator("#status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Done: \\d+ object"), new() { Timeout = 30_000 });
        await Expect(first).ToHaveTextAsync("person");
        await Expect(page.Locator("#boxes")).ToBeVisibleAsync();
        await Expect(page.Locator("#preview")).ToBeHiddenAsync();
        Assert.Equal(1920, await page.Locator("#boxes").EvaluateAsync<int>("c => c.width"));
        if (Environment.GetEnvironmentVariable("LOOKOUT_SCREENSHOT") is { } shot) await page.ScreenshotAsync(new() { Path = shot });
        Assert.Empty(consoleErrors);

        await app.StopAsync();
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task AFormOnAForeignSite_CannotPostToTheApi_InARealBrowser()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-csrf-").FullName;
        TestModels.Write(dir, "colours", TestModels.ColourClassifier(["red", "green", "blue"]));
        await using var app = LookoutServer.BuildApp(new ServerOptions { ModelsDirectory = dir, Urls = "http://127.0.0.1:0", Workspace = Path.Combine(dir, "ws") });
        await app.StartAsync();
        var url = LookoutServer.Addresses(app).Single();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        // The attacker's page, served (by interception) from its own origin: a plain HTML form aimed at the API.
        await page.RouteAsync("http://evil.example/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $"<form method=post enctype=multipart/form-data action=\"{url}/v1/vision/face/delete\"><input name=userid value=alice><button>go</button></form>",
        }));
        await page.GotoAsync("http://evil.example/");
        var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button"), r => r.Url.EndsWith("/v1/vision/face/delete"));
        var headers = await response.Request.AllHeadersAsync();
        Assert.Equal("http://evil.example", headers["origin"]);
        Assert.Equal(403, response.Status);
        Assert.Contains("cross-site request refused", await response.TextAsync());

        await app.StopAsync();
        Directory.Delete(dir, recursive: true);
    }
}

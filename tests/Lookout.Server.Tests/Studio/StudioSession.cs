using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Lookout.Server.Tests.Studio;

/// <summary>
/// What a studio browser test starts with: a studio server on a free loopback port over a temp folder (projects/,
/// ws/), an HttpClient on it, and Debian's headless chromium with one desktop-sized page (1280×900) whose console
/// errors are collected. Disposing closes the browser, stops the server and removes the folder.
/// </summary>
internal sealed class StudioSession : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private StudioSession(string dir, WebApplication app, IPlaywright playwright, IBrowser browser, IPage page)
    {
        Dir = dir;
        _app = app;
        _playwright = playwright;
        _browser = browser;
        Url = LookoutServer.Addresses(app).Single();
        Http = new HttpClient { BaseAddress = new Uri(Url) };
        Page = page;
        Errors = HeadlessChromium.WatchErrors(page);
    }

    public string Dir { get; }
    public string Url { get; }
    public HttpClient Http { get; }
    public IPage Page { get; }
    public List<string> Errors { get; }
    public string ProjectsDir => Path.Combine(Dir, "projects");

    /// <param name="name">Names the temp folder (lookout-studio-&lt;name&gt;-…).</param>
    /// <param name="timeoutMs">The page's default timeout: answers that need a model or a save take longer than Playwright's 5 s on a loaded 2-core CI box.</param>
    public static async Task<StudioSession> StartAsync(string name, float timeoutMs)
    {
        var dir = Directory.CreateTempSubdirectory($"lookout-studio-{name}-").FullName;
        var app = LookoutServer.BuildApp(new ServerOptions { StudioDirectory = Path.Combine(dir, "projects"), Urls = "http://127.0.0.1:0", Workspace = Path.Combine(dir, "ws") });
        await app.StartAsync();
        var playwright = await Playwright.CreateAsync();
        var browser = await HeadlessChromium.LaunchAsync(playwright);
        var page = await (await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } })).NewPageAsync();
        page.SetDefaultTimeout(timeoutMs);
        return new StudioSession(dir, app, playwright, browser, page);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { /* a temp folder left behind is harmless */ }
    }
}

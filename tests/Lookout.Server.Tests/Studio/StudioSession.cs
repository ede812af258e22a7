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

    /// <summary>The browser, for a test that opens a second context (a phone beside the desktop).</summary>
    public IBrowser Browser => _browser;

    /// <param name="name">Names the temp folder (lookout-studio-&lt;name&gt;-…).</param>
    /// <param name="timeoutMs">The page's default timeout: answers that need a model or a save take longer than Playwright's 5 s on a loaded 2-core CI box.</param>
    public static async Task<StudioSession> StartAsync(string name, float timeoutMs, StudioSessionOptions? options = null)
    {
        options ??= new StudioSessionOptions();
        var dir = Directory.CreateTempSubdirectory($"lookout-studio-{name}-").FullName;
        var server = new ServerOptions { StudioDirectory = Path.Combine(dir, "projects"), Urls = "http://127.0.0.1:0", Workspace = Path.Combine(dir, "ws") };
        var app = LookoutServer.BuildApp(options.Server?.Invoke(server) ?? server);
        await app.StartAsync();
        var playwright = await Playwright.CreateAsync();
        var camera = options.Camera?.Invoke(dir);
        var browser = camera is null ? await HeadlessChromium.LaunchAsync(playwright)
            : await HeadlessChromium.LaunchAsync(playwright, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-video-capture={camera}");
        var context = await browser.NewContextAsync(options.Context ?? new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        if (camera is not null) await context.GrantPermissionsAsync(["camera"], new() { Origin = LookoutServer.Addresses(app).Single() });
        var page = await context.NewPageAsync();
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

/// <summary>What a studio browser test may change from <see cref="StudioSession"/>'s defaults.</summary>
internal sealed record StudioSessionOptions
{
    /// <summary>Adjusts the server's options (the temp folders are already set).</summary>
    public Func<ServerOptions, ServerOptions>? Server { get; init; }

    /// <summary>Writes the clip chromium shows as the camera into the session's folder and answers its path; the studio's origin may use the camera.</summary>
    public Func<string, string>? Camera { get; init; }

    /// <summary>The page's context (default: a 1280×900 desktop).</summary>
    public BrowserNewContextOptions? Context { get; init; }
}

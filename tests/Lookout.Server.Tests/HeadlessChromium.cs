using Microsoft.Playwright;

namespace Lookout.Server.Tests;

/// <summary>
/// Debian's chromium as every browser test starts it: headless, no sandbox (root), and none of its background
/// connections, which this machine's closed network refuses (they slow start-up and fill the log).
/// </summary>
public static class HeadlessChromium
{
    public const string Executable = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, params string[] extraArgs)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: run scripts/setup.sh (it installs Debian's chromium)");
        // Expect's own default (5 s) is shorter than an answer that loads a model takes on a 2-core CI box while other
        // test classes train in parallel; a passing assertion returns as soon as it holds, so this costs nothing.
        Assertions.SetDefaultExpectTimeout(15_000);
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable, Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic", .. extraArgs],
        });
    }

    /// <summary>The page's console errors and uncaught exceptions, for a test to assert there were none.</summary>
    public static List<string> WatchErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add($"{m.Text} ({m.Location})"); };
        page.PageError += (_, e) => errors.Add(e);
        return errors;
    }
}

using System.Diagnostics;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Media;
using Lookout.Server;
using Microsoft.Playwright;
using Microsoft.Extensions.Logging;
using NetVips;

namespace Lookout.Bench;

/// <summary>
/// The studio's grid on a large project: 10,000 photos in one class. Measures, in Debian's chromium, the time from
/// opening the class until every thumbnail of the first screen is decoded and shown, with the thumbnails cached
/// (the normal case) and, as the baseline in the same run, with the first screen's thumbnails not cached yet (made
/// on request from the originals); plus the item list's server time and the number of cells in the DOM (virtualised).
/// Usage: bench studiogrid [--count 10000]
/// </summary>
public static class StudioGridBench
{
    public static async Task Run(string[] args)
    {
        int count = args.SkipWhile(a => a != "--count").Skip(1).Select(int.Parse).FirstOrDefault(10_000);
        // --dir keeps the generated project for the next run (making 10,000 photos and thumbnails takes minutes).
        var keep = args.SkipWhile(a => a != "--dir").Skip(1).FirstOrDefault();
        var dir = keep ?? Directory.CreateTempSubdirectory("lookout-gridbench").FullName;
        try
        {
            var store = new ProjectStore(Path.Combine(dir, "projects"));
            var project = store.List().FirstOrDefault(p => p.Name == "bench") ?? store.Create("bench", backbone: "generated");
            var classDir = Directory.CreateDirectory(Path.Combine(project.DataDir, "things")).FullName;
            var clock = Stopwatch.StartNew();
            if (Directory.EnumerateFiles(classDir).Count() != count)
            {
                Parallel.For(0, count, i => File.WriteAllBytes(Path.Combine(classDir, $"{i:00000}.jpg"), Jpeg(i)));
                Console.WriteLine($"wrote {count} 640x480 JPEGs in {clock.Elapsed.TotalSeconds:0.0} s");
            }
            clock.Restart();
            await project.Datasets.ScanAsync(project.DataDir);
            Console.WriteLine($"scan: {clock.Elapsed.TotalSeconds:0.0} s");
            clock.Restart();
            var items = ItemQuery.List(project, ItemView.Class, "things");
            int made = MediaIndex.EnsureFacts(project, items);
            Console.WriteLine($"thumbnails + sharpness made for {made} of {items.Count}: {clock.Elapsed.TotalSeconds:0.0} s");

            if (Environment.GetEnvironmentVariable("LOOKOUT_BENCH_TRACE") is not null)
                for (int i = 0; i < 3; i++)
                {
                    var t = Stopwatch.StartNew();
                    var list = ItemQuery.List(project, ItemView.Class, "things");
                    var q = t.Elapsed.TotalMilliseconds;
                    var dtos = list.Select(x => Lookout.Server.Studio.ItemDto.Of(x, 60)).ToList();
                    var json = System.Text.Json.JsonSerializer.Serialize(dtos, System.Text.Json.JsonSerializerOptions.Web);
                    var j = t.Elapsed.TotalMilliseconds;
                    var d = Lookout.Server.Studio.StudioApi.Describe(project);
                    Console.WriteLine($"query {q:0} ms, +json {j - q:0} ms ({json.Length / 1024} KB), describe {t.Elapsed.TotalMilliseconds - j:0} ms");
                }
            await using var app = LookoutServer.BuildApp(new ServerOptions { StudioDirectory = store.Root, Urls = "http://127.0.0.1:0", Workspace = Path.Combine(dir, "ws") },
                configure: b => b.Logging.ClearProviders());
            await app.StartAsync();
            var url = LookoutServer.Addresses(app).Single();
            using var http = new HttpClient();
            var listMs = new List<double>();
            for (int i = 0; i < 5; i++)
            {
                var t = Stopwatch.StartNew();
                var body = await http.GetStringAsync($"{url}/v1/projects/bench/items?view=class&label=things");
                listMs.Add(t.Elapsed.TotalMilliseconds);
                if (i == 0) Console.WriteLine($"item list: {body.Length / 1024.0 / 1024.0:0.0} MB JSON for {count} items");
            }
            Console.WriteLine($"item list (server + transfer), median of 5: {Median(listMs):0} ms");

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium", Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
            });
            var cached = new List<double>();
            var cold = new List<double>();
            int cells = 0;
            await FirstScreenAsync(browser, url, _ => { }); // warm-up: JIT of the server's routes, chromium's first context
            for (int round = 0; round < 5; round++)
            {
                cached.Add(await FirstScreenAsync(browser, url, c => cells = c));
                // Baseline: the same first screen with its thumbnails not made yet (removed from the cache).
                foreach (var item in items.Take(200)) File.Delete(MediaIndex.ThumbPath(project, item.Sha256));
                cold.Add(await FirstScreenAsync(browser, url, _ => { }));
            }
            Console.WriteLine($"first screen, cached thumbnails: median {Median(cached):0} ms (runs {string.Join(", ", cached.Select(c => c.ToString("0")))}); cells in the DOM: {cells} of {count}");
            Console.WriteLine($"first screen, thumbnails made on request (baseline): median {Median(cold):0} ms (runs {string.Join(", ", cold.Select(c => c.ToString("0")))})");
            Console.WriteLine($"ratio baseline / cached: {Median(cold) / Median(cached):0.0}x; under 1 s: {(Median(cached) < 1000 ? "yes" : "NO")}");
            await app.StopAsync();
        }
        finally
        {
            if (keep is null) try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Opens the class in a fresh browser context (empty HTTP cache) and waits until every cell's image is decoded.</summary>
    private static async Task<double> FirstScreenAsync(IBrowser browser, string url, Action<int> cellCount)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 860 } });
        var page = await context.NewPageAsync();
        var clock = Stopwatch.StartNew();
        await page.GotoAsync($"{url}/studio#/p/bench/class/things", new() { WaitUntil = WaitUntilState.Commit });
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var counts = await page.EvaluateAsync<int[]>("() => { const imgs = [...document.querySelectorAll('.cell img')]; " +
                "const vis = imgs.filter(i => i.getBoundingClientRect().top < innerHeight); return [vis.length, vis.filter(i => i.complete && i.naturalWidth > 0).length]; }");
            if (counts[0] > 0 && counts[0] == counts[1]) break;
            await Task.Delay(10);
        }
        var ms = clock.Elapsed.TotalMilliseconds;
        if (Environment.GetEnvironmentVariable("LOOKOUT_BENCH_TRACE") is not null)
            Console.WriteLine(await page.EvaluateAsync<string>("() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))" +
                ".map(e => `${Math.round(e.startTime)}-${Math.round(e.responseEnd)} ${e.name.replace(location.origin, '').slice(0, 60)}`).join('\\n')"));
        cellCount(await page.Locator(".cell").CountAsync());
        await context.CloseAsync();
        return ms;
    }

    private static byte[] Jpeg(int seed)
    {
        var rng = new Random(seed);
        using var noise = Image.Gaussnoise(80, 60, mean: rng.Next(60, 200), sigma: 40);
        using var big = noise.Resize(8, kernel: Enums.Kernel.Nearest);
        using var g = big.Linear(new[] { 0.8 }, new[] { (double)rng.Next(0, 50) });
        using var b = big.Linear(new[] { 0.6 }, new[] { (double)rng.Next(0, 80) });
        using var rgb = big.Bandjoin(g, b);
        using var cast = rgb.Cast(Enums.BandFormat.Uchar);
        return cast.JpegsaveBuffer(q: 85);
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
}

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Lookout.Server.Tests.Studio;

/// <summary>
/// A detection project as a user drives it in Debian's chromium, once its pictures are boxed: the Train tab's estimate
/// and "too few boxes" warning → Train (2 epochs) with live progress → Results with mAP per class, PR curves and a
/// gallery picture that opens in the box editor → Try it draws boxes with class and score → Serve → /v1/detect answers
/// with the project's class. Screens are saved in the test's output folder (studio-screens/detect-*.png).
/// </summary>
public class StudioDetectBrowserTests
{

    [Fact]
    public async Task Train_Results_OpenAMistakeInTheBoxEditor_TryIt_Serve_DetectAnswers()
    {
        await using var studio = await StudioSession.StartAsync("detect-ui", 30_000);
        var (dir, url, http, page, errors) = (studio.Dir, studio.Url, studio.Http, studio.Page, studio.Errors);
        var shots = Path.Combine(AppContext.BaseDirectory, "studio-screens");
        Directory.CreateDirectory(shots);
        await StudioDetectTrainApiTests.MakeBoxProject(http, dir, "shapes");

        async Task Shot(string name) => await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "detect-" + name + ".png"), FullPage = true });

        // Train: the estimate counts the boxes and warns that 16 pictures are few; 2 epochs keep the test quick.
        await page.GotoAsync(url + "/studio#/p/shapes/train");
        await Expect(page.Locator("#estimate-quick")).ToContainTextAsync("about");
        await Expect(page.Locator("#detect-counts")).ToContainTextAsync("16 reviewed pictures");
        await Expect(page.Locator("#detect-warnings")).ToContainTextAsync("too few boxes");
        await page.Locator("#train-epochs").FillAsync("2");
        await page.Locator("#train-start").ClickAsync();
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("running");
        await Expect(page.Locator("#curves polyline").First).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await Shot("1-training");
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("done", new() { Timeout = 120_000 });
        await Expect(page.Locator("#job .log")).ToContainTextAsync("too few boxes");
        var run = await page.Locator("#job-run").TextContentAsync();
        Assert.StartsWith("detect", run);

        // Results: mAP per class, PR curves, and the mistakes; a gallery picture opens in the box editor.
        await page.Locator("#job-run").ClickAsync();
        await Expect(page.Locator("#run-map")).ToContainTextAsync("mAP@0.5:0.95");
        await Expect(page.Locator("#map-table tbody tr").First).ToBeVisibleAsync();
        var map50 = await page.Locator("#run-map strong").First.TextContentAsync();
        Assert.InRange(double.Parse(map50!, System.Globalization.CultureInfo.InvariantCulture), 0, 1);
        await Expect(page.Locator("#pr-curves")).ToBeVisibleAsync();
        Assert.True(await page.Locator("#pr-curves").EvaluateAsync<int>("i => i.naturalWidth") > 100);
        var tiles = page.Locator(".gallery a.tile");
        await Expect(tiles.First).ToBeVisibleAsync();
        await Shot("2-results");
        var href = await tiles.First.GetAttributeAsync("href");
        await tiles.First.ClickAsync();
        await page.WaitForURLAsync(u => u.EndsWith(href!, StringComparison.Ordinal));
        await Expect(page.Locator("#tab-boxes")).ToHaveClassAsync("active");
        var pictureId = long.Parse(href!.Split('/').Last());
        var saved = await StudioTrainApiTests.Data(await http.GetAsync($"/v1/projects/shapes/pictures/{pictureId}/boxes"));
        await Expect(page.Locator($"img[src$='/pictures/{pictureId}']")).ToBeVisibleAsync(); // that very picture
        await Expect(page.Locator("svg rect").First).ToBeVisibleAsync(); // with its saved boxes, ready to fix
        Assert.True(saved.GetProperty("reviewed").GetBoolean());
        await Shot("3-fix-in-box-editor");

        // Try it: a picture → boxes drawn with class and score (a low threshold: two epochs make shy scores).
        await page.GotoAsync(url + "/studio#/p/shapes/try");
        await page.Locator("#try-min").FillAsync("1");
        await page.Locator("#try-min").DispatchEventAsync("change");
        await page.Locator("#try-file").SetInputFilesAsync(Directory.EnumerateFiles(Path.Combine(dir, "scenes-src", "images")).Order().First());
        await Expect(page.Locator("#try-boxes g.det").First).ToBeVisibleAsync();
        var labels = await page.Locator("#try-boxes g.det").EvaluateAllAsync<string[]>("gs => gs.map(g => g.dataset.label)");
        Assert.All(labels, l => Assert.Contains(l, new[] { "disc", "square" }));
        await Expect(page.Locator("#try-boxes text").First).ToContainTextAsync("%");
        await Shot("4-try-it");

        // Serve: the run answers /v1/detect?model=shapes with the project's classes.
        await page.GotoAsync(url + $"/studio#/p/shapes/results/{run}");
        await page.Locator("#promote").ClickAsync();
        await Expect(page.Locator("#run-status")).ToContainTextAsync($"{run} now answers /v1/detect?model=shapes");
        await Shot("5-served");
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(Directory.EnumerateFiles(Path.Combine(dir, "scenes-src", "images")).Order().First())), "image", "a.png" },
            { new StringContent("shapes"), "model" },
            { new StringContent("0.01"), "min_score" },
        };
        var detected = await StudioTrainApiTests.Data(await http.PostAsync("/v1/detect", form));
        Assert.NotEmpty(detected.EnumerateArray());
        Assert.All(detected.EnumerateArray(), o => Assert.Contains(o.GetProperty("label").GetString(), new[] { "disc", "square" }));
        Assert.Empty(errors);
    }
}

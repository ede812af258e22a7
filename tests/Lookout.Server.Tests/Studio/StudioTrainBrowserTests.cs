using System.Diagnostics;
using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Lookout.Server.Tests.Studio;

/// <summary>
/// The studio's second half as a user drives it in Debian's chromium: label the inbox with keys → Train (quick) with live
/// progress and curves → the results → a confusion-matrix cell → Grad-CAM of a picture → relabel two pictures in one
/// click → train again → compare (the fixes and the metrics changed) → serve the new run → /v1/classify answers with it.
/// Screens are saved in the test's output folder (studio-screens/train-*.png).
/// </summary>
public class StudioTrainBrowserTests(ITestOutputHelper output)
{

    [Fact]
    public async Task Label_Train_OpenACell_RelabelTwo_Retrain_MetricsChange_Promote_Classify()
    {
        await using var studio = await StudioSession.StartAsync("train-ui", 30_000);
        var (dir, url, http, page, errors) = (studio.Dir, studio.Url, studio.Http, studio.Page, studio.Errors);
        var shots = Path.Combine(AppContext.BaseDirectory, "studio-screens");
        Directory.CreateDirectory(shots);
        await StudioTrainApiTests.MakeShapesProject(http, dir, "shapes", 20, "circle", "square", "stripes");
        // Three more circles are uploaded into the inbox, unlabelled.
        foreach (var f in ShapesDatasetGenerator.Generate(Path.Combine(dir, "inbox-src"), new ShapesOptions { PerClass = 3, Seed = 77, Classes = ["circle"] }))
        {
            var body = new ByteArrayContent(await File.ReadAllBytesAsync(f.Path));
            body.Headers.ContentType = new("application/octet-stream");
            (await http.PostAsync($"/v1/projects/shapes/uploads?name=new-{Path.GetFileName(f.Path)}", body)).EnsureSuccessStatusCode();
        }

        async Task Shot(string name) => await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "train-" + name + ".png"), FullPage = true });

        // Label: the inbox's three pictures go to "circle" (key 1) after a select-all.
        await page.GotoAsync(url + "/studio#/p/shapes/inbox");
        await Expect(page.Locator(".cell")).ToHaveCountAsync(3);
        await page.Locator(".cell").First.ClickAsync();
        await page.Locator(".cell").Nth(2).ClickAsync(new() { Modifiers = [KeyboardModifier.Shift] });
        await page.Keyboard.PressAsync("1");
        await Expect(page.Locator(".cell")).ToHaveCountAsync(0);

        // Train (quick): the estimate is shown, progress and the curves appear live, the job ends with a run.
        await page.ClickAsync("#tab-train");
        await Expect(page.Locator("#estimate-quick")).ToContainTextAsync("about");
        await Shot("01-train-options");
        var clock = Stopwatch.StartNew();
        await page.ClickAsync("#train-start");
        await Expect(page.Locator("#job-progress")).ToBeVisibleAsync();
        var firstProgress = clock.Elapsed;
        await Expect(page.Locator("#curves polyline.series-val")).ToHaveCountAsync(2, new() { Timeout = 180_000 });
        await Shot("02-training-live");
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("done", new() { Timeout = 300_000 });
        output.WriteLine($"Train click → first progress shown {firstProgress.TotalSeconds:0.00} s; → done {clock.Elapsed.TotalSeconds:0.0} s");
        var run1 = (await page.Locator("#job-run").TextContentAsync())!;

        // Results: per-class table and the confusion matrix; a cell opens its pictures; Grad-CAM on one.
        await page.ClickAsync("#job-run");
        await Expect(page.Locator("#per-class tbody tr")).ToHaveCountAsync(3);
        await Shot("03-results");
        var before = await Results(http, run1);
        var circleRow = Row(before, "circle");
        Assert.True(circleRow.Sum() >= 2, $"the circle row needs two pictures, has {circleRow.Sum()}");
        await page.ClickAsync("#confusion button.cell-button[data-actual='circle'][data-predicted='circle']");
        await Expect(page.Locator("#cell h3")).ToContainTextAsync($"circle → circle: {circleRow[0]} pictures");
        await page.ClickAsync("#confusion tbody th button:text-is('circle')"); // the whole row: every test circle, right or wrong
        await Expect(page.Locator("#cell-gallery .thumb")).ToHaveCountAsync(circleRow.Sum());
        await page.Locator("#cell-gallery .thumb .why").First.ClickAsync();
        // The overlay is computed on request (a backward pass through the backbone): seconds on a loaded 2-core box.
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('#cell-gallery img.gradcam'); return i && i.complete && i.naturalWidth > 0; }",
            null, new() { Timeout = 60_000 });
        await Expect(page.Locator("#cell-gallery img.gradcam")).ToBeVisibleAsync();
        await Shot("04-cell-gradcam");

        // Fix: two pictures relabelled "square" in one click.
        await page.Locator("#cell-gallery .thumb img:not(.gradcam)").Nth(0).ClickAsync();
        await page.Locator("#cell-gallery .thumb img:not(.gradcam)").Nth(1).ClickAsync();
        await page.ClickAsync("#cell-gallery .fix-relabel[data-class='square']");
        await Expect(page.Locator("#fix-status")).ToContainTextAsync("2 fixed");
        await Expect(page.Locator("#cell-gallery .thumb.fixed")).ToHaveCountAsync(2);
        await Expect(page.Locator("#cell-gallery .thumb.fixed").First).ToContainTextAsync("now square");
        await Expect(page.Locator("#journal li")).ToHaveCountAsync(1);
        await Shot("05-fixed");

        // Retrain; the new run's results differ where the fixes were, and the comparison says why.
        await page.ClickAsync("#tab-train");
        await page.ClickAsync("#train-start");
        await Expect(page.Locator("#job-state")).ToHaveTextAsync("done", new() { Timeout = 300_000 });
        var run2 = (await page.Locator("#job-run").TextContentAsync())!;
        Assert.NotEqual(run1, run2);
        await page.ClickAsync("#job-run");
        await Expect(page.Locator("#run")).ToHaveAttributeAsync("data-run", run2);
        var after = await Results(http, run2);
        Assert.Equal(circleRow.Sum() - 2, Row(after, "circle").Sum());
        await page.SelectOptionAsync("#compare-with", run1);
        await page.ClickAsync("#compare");
        await Expect(page.Locator("#comparison")).ToContainTextAsync("Fixes between them: relabel → square (2)");
        await Expect(page.Locator("#comparison")).ToContainTextAsync("The data changed");
        await Shot("06-compare");

        // Promote: the new run serves /v1/classify under the project's name.
        await page.ClickAsync("#promote");
        await Expect(page.Locator("#serving-status")).ToContainTextAsync($"{run2} now answers /v1/classify?model=shapes");
        await Shot("07-promoted");
        using var form = TestHost.Form(await File.ReadAllBytesAsync(Directory.EnumerateFiles(Path.Combine(dir, "projects", "shapes", "data", "stripes")).First()));
        var answer = await http.PostAsync("/v1/classify?model=shapes", form);
        Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
        using (var serving = JsonDocument.Parse(await http.GetStringAsync("/v1/projects/shapes/serving")))
            Assert.Equal(run2, serving.RootElement.GetProperty("data").GetProperty("current")[0].GetProperty("run").GetString());
        Assert.Empty(errors);
    }

    private static async Task<JsonElement> Results(HttpClient http, string run)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"/v1/projects/shapes/runs/{run}"));
        return doc.RootElement.GetProperty("data").Clone();
    }

    private static int[] Row(JsonElement results, string label)
    {
        var test = results.GetProperty("test");
        int i = test.GetProperty("labels").EnumerateArray().Select(l => l.GetString()).ToList().IndexOf(label);
        return test.GetProperty("confusion")[i].EnumerateArray().Select(c => c.GetInt32()).ToArray();
    }
}

using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Lookout.Server.Tests.Studio;

/// <summary>
/// A detection project's Try it with a video, as a user does it in Debian's chromium: after a quick training job, the
/// user picks a clip of their scenes; frames sampled over the clip come back, each drawn with the detector's boxes
/// (project classes, scores, inside the frame). Screen saved as studio-screens/detect-video-try.png.
/// </summary>
public class StudioDetectVideoBrowserTests
{
    [Fact]
    public async Task TryIt_WithAVideo_ShowsSampledFramesWithTheDetectorsBoxes()
    {
        await using var studio = await StudioSession.StartAsync("detect-video", 60_000);
        var (dir, url, http, page, errors) = (studio.Dir, studio.Url, studio.Http, studio.Page, studio.Errors);
        var shots = Path.Combine(AppContext.BaseDirectory, "studio-screens");
        Directory.CreateDirectory(shots);
        await StudioDetectTrainApiTests.MakeBoxProject(http, dir, "shapes", scenes: 6);
        var job = (await StudioTrainApiTests.Data(await http.PostAsJsonAsync("/v1/projects/shapes/jobs", new { mode = "quick", epochs = 2 }))).GetProperty("id").GetInt64();
        var (done, events) = await StudioTrainApiTests.WaitAsync(http, "shapes", job, seconds: 240);
        Assert.True(done.GetProperty("state").GetString() == "done", string.Join("\n", events.TakeLast(8)));
        // The clip: the project's own scenes, half a second each, as a phone video of them would show.
        var clip = StudioMedia.SlideShow(Path.Combine(dir, "scenes-src", "images"), Path.Combine(dir, "scenes.mp4"), picturesPerSecond: 2);

        await page.GotoAsync(url + "/studio#/p/shapes/try");
        await Expect(page.Locator("#try-run option")).ToHaveCountAsync(2); // the tab has loaded the runs (an earlier edit would be lost)
        await page.Locator("#try-min").FillAsync("1"); // two epochs make shy scores
        await page.Locator("#try-min").DispatchEventAsync("change");
        await Expect(page.Locator("#try-min")).ToHaveValueAsync("1");
        await page.Locator("#try-video").SetInputFilesAsync(clip);

        await Expect(page.Locator("#try-video-answer")).ToContainTextAsync("frames of scenes.mp4", new() { Timeout = 120_000 });
        var frames = page.Locator("#try-frames figure.frame");
        int count = await frames.CountAsync();
        Assert.InRange(count, 4, Lookout.Core.Studio.Trying.VideoDetectTry.MaxFrames);
        var times = await frames.EvaluateAllAsync<long[]>("fs => fs.map(f => Number(f.dataset.time))");
        Assert.Equal(times.Order(), times); // spread over the clip in order
        Assert.True(times[^1] >= 2000, $"last frame at {times[^1]} ms of a 6 s clip");
        await Expect(page.Locator("#try-frames g.det").First).ToBeVisibleAsync();
        var labels = await page.Locator("#try-frames g.det").EvaluateAllAsync<string[]>("gs => gs.map(g => g.dataset.label)");
        Assert.All(labels, l => Assert.Contains(l, new[] { "disc", "square" }));
        // Every box lies inside its frame (the SVG's viewBox is the frame's own pixels).
        var inside = await page.Locator("#try-frames svg").EvaluateAllAsync<bool[]>(
            "svgs => svgs.map(s => { const v = s.viewBox.baseVal; return [...s.querySelectorAll('rect')].every(r => r.x.baseVal.value >= 0 && r.y.baseVal.value >= 0 && r.x.baseVal.value + r.width.baseVal.value <= v.width + 0.5 && r.y.baseVal.value + r.height.baseVal.value <= v.height + 0.5); })");
        Assert.All(inside, Assert.True);
        await Expect(page.Locator("#try-frames figcaption").First).ToContainTextAsync("0:00");
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "detect-video-try.png"), FullPage = true });

        Assert.Empty(errors);

        // Not a video: a clear error (the refused request is the page's only console error).
        var notVideo = Path.Combine(dir, "notes.mp4");
        await File.WriteAllTextAsync(notVideo, "just some text");
        await page.Locator("#try-video").SetInputFilesAsync(notVideo);
        await Expect(page.Locator("#try-error")).ToContainTextAsync("not a video", new() { Timeout = 60_000 });
        Assert.All(errors, e => Assert.StartsWith("Failed to load resource", e));
    }
}

using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Lookout.Server.Tests.Studio;

/// <summary>
/// "Try it" on a phone-width screen and the box editor on a desktop one, driven in Debian's chromium as a user would.
/// Screens are saved in the test's output folder (studio-screens/try-*.png, boxes-*.png).
/// </summary>
public class StudioTryBoxesBrowserTests
{
    // Answers that need the server (a model run, a save) get longer than Playwright's 5 s: the CI box is a loaded 2-core one.
    private static readonly LocatorAssertionsToHaveTextOptions SlowText = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToContainTextOptions SlowContain = new() { Timeout = 15_000 };
    private static readonly string Shots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "studio-screens")).FullName;

    [Fact]
    public async Task TryIt_OnAPhone_CameraFrameAndUpload_ShowClassUnknownAndGradCam_ThenAddThePictureToAClass()
    {
        await using var studio = await StudioSession.StartAsync("try-ui", 20_000, new StudioSessionOptions
        {
            Camera = dir => StudioMedia.Clip(Path.Combine(dir, "camera.y4m"), ("0xC82828", 6)), // a red scene
            Context = new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2 },
        });
        var (dir, url, http, page, errors) = (studio.Dir, studio.Url, studio.Http, studio.Page, studio.Errors);
        (await http.PostAsJsonAsync("/v1/projects", new { name = "colours", backbone = "generated" })).EnsureSuccessStatusCode();
        foreach (var c in new[] { "blue", "green", "red" }) (await http.PostAsJsonAsync("/v1/projects/colours/classes", new { name = c })).EnsureSuccessStatusCode();
        StudioTryBoxesApiTests.WriteColourRun(Path.Combine(dir, "projects", "colours"), "train1", ["blue", "green", "red"], calibrated: true);

        async Task Shot(string name) => await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, "try-" + name + ".png"), });

        // A frame of the live camera: the red scene is "red", with its scores and the Grad-CAM of the answer.
        await page.GotoAsync(url + "/studio#/p/colours/try");
        await Expect(page.Locator("#try-run option")).ToHaveCountAsync(2); // "the latest run" and train1
        await page.ClickAsync("#try-camera");
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('video.try-camera'); return v && v.videoWidth > 0; }");
        await page.ClickAsync("#try-shot");
        await Expect(page.Locator("#try-answer")).ToHaveTextAsync("red", new() { Timeout = 30_000 }); // the first Grad-CAM loads libtorch
        await Expect(page.Locator("#try-scores li").First).ToHaveAttributeAsync("data-label", "red");
        await Expect(page.Locator("#try-scores li")).ToHaveCountAsync(3);
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('#try-gradcam'); return i && i.complete && i.naturalWidth === 64; }");
        await page.Locator("#try-answer").ScrollIntoViewIfNeededAsync();
        await Shot("01-camera-red");
        // The page fits the phone: nothing is wider than the screen.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the Try it page scrolls sideways on a phone");

        // An uploaded grey picture is none of the classes: the calibrated model says "unknown", and shows what it looked at.
        await page.SetInputFilesAsync("#try-file", new FilePayload { Name = "wall.png", MimeType = "image/png", Buffer = StudioMedia.Textured(128, 128, 128, 5, 320, 240) });
        await Expect(page.Locator("#try-answer")).ToHaveTextAsync("Unknown", new() { Timeout = 20_000 });
        await Expect(page.Locator("#try-answer")).ToHaveClassAsync("answer unknown");
        await Expect(page.Locator("#try-reason")).ToContainTextAsync("Not any of the classes", SlowContain);
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('#try-gradcam'); return i && i.complete && i.naturalWidth > 0; }");
        await page.Locator("#try-answer").ScrollIntoViewIfNeededAsync();
        await Shot("02-upload-unknown");

        // The loop: the refused picture becomes an example of "none of these".
        await page.SelectOptionAsync("#try-class", "_none");
        await page.ClickAsync("#try-add");
        await Expect(page.Locator("#try-added")).ToHaveTextAsync("Added to none of these.", SlowText);
        await page.Locator("#try-added").ScrollIntoViewIfNeededAsync();
        await Shot("03-added");
        using (var project = JsonDocument.Parse(await http.GetStringAsync("/v1/projects/colours")))
        {
            var none = project.RootElement.GetProperty("data").GetProperty("classes").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "_none");
            Assert.Equal(1, none.GetProperty("items").GetInt32());
        }
        Assert.Single(Directory.GetFiles(Path.Combine(dir, "projects", "colours", "data", "_none")));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task BoxEditor_AcceptSuggestionsWithEnter_AdjustOneWithKeys_DrawOne_Undo_LabelFilesHoldTheBoxes()
    {
        await using var studio = await StudioSession.StartAsync("boxes-ui", 20_000);
        var (dir, url, http, page, errors) = (studio.Dir, studio.Url, studio.Http, studio.Page, studio.Errors);
        var data = Path.Combine(dir, "projects", "crowd", "data");

        async Task Shot(string name) => await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, "boxes-" + name + ".png") });

        // A detection project, its class, and two group photos added on the Collect tab.
        await CreateDetectionProjectAsync(page, url, "crowd", "person");
        await page.SetInputFilesAsync("#files", new[]
        {
            new FilePayload { Name = "group1.jpg", MimeType = "image/jpeg", Buffer = SamplePhotos.Photo(1) },
            new FilePayload { Name = "group2.jpg", MimeType = "image/jpeg", Buffer = SamplePhotos.Photo(2) },
        });
        await Expect(page.Locator("#upload-summary")).ToContainTextAsync("2 added", SlowContain);

        // The editor opens on the first picture with NanoDet's people pre-filled; Enter accepts them all and opens the next.
        await page.ClickAsync("#tab-boxes");
        await Expect(page.Locator("#boxes-position")).ToHaveTextAsync("1 of 2 · 0 reviewed", SlowText);
        await Expect(page.Locator("#boxes-status")).ToContainTextAsync("suggested by nanodet", new() { Timeout = 30_000 }); // NanoDet loads once
        int suggested = await page.Locator("g.box.suggested").CountAsync();
        Assert.True(suggested >= 2, $"{suggested} people suggested in a group photo");
        await Shot("01-suggested");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#boxes-position")).ToHaveTextAsync("2 of 2 · 1 reviewed", SlowText);
        var txt1 = Directory.EnumerateFiles(Path.Combine(data, "_unlabelled"), "*.txt").Single();
        var accepted = File.ReadAllLines(txt1);
        Assert.Equal(suggested, accepted.Length);
        Assert.All(accepted, l => Assert.StartsWith("0 ", l));

        // Back to it (← with no box picked): Tab picks the first box, Shift+← three times narrows it by 3% of the picture.
        await Expect(page.Locator("#boxes-status")).ToContainTextAsync("suggested by nanodet", SlowContain);
        await page.Keyboard.PressAsync("ArrowLeft");
        await Expect(page.Locator("#boxes-position")).ToHaveTextAsync("1 of 2 · 1 reviewed", SlowText);
        await Expect(page.Locator("#boxes-status")).ToContainTextAsync($"Saved: {suggested} boxes", SlowContain);
        await Expect(page.Locator("g.box.suggested")).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator("g.box.selected")).ToHaveAttributeAsync("data-index", "0");
        for (int i = 0; i < 3; i++) await page.Keyboard.PressAsync("Shift+ArrowLeft");
        await Shot("02-adjusted");
        await page.Keyboard.PressAsync("Enter");
        // The position moves on once the save is answered (the next picture's suggestions then replace the status).
        await Expect(page.Locator("#boxes-position")).ToHaveTextAsync("2 of 2 · 1 reviewed", SlowText);
        var adjusted = File.ReadAllLines(txt1);
        Assert.Equal(suggested, adjusted.Length);
        var (a, b) = (Numbers(accepted[0]), Numbers(adjusted[0]));
        Assert.Equal(a[3] - 57.0 / 1920, b[3], 4); // width: 3 steps of round(1920/100) = 19 px
        Assert.Equal(a[1] - 28.5 / 1920, b[1], 4); // the centre moves by half of that; the left edge stays
        Assert.Equal(a[2], b[2], 5);
        Assert.Equal(accepted.Skip(1), adjusted.Skip(1)); // the other boxes are untouched

        // Undo (u) puts the accepted boxes back; then the second picture gets one more box drawn with the mouse.
        await page.Keyboard.PressAsync("u");
        await Expect(page.Locator("#boxes-note")).ToContainTextAsync("has its previous boxes again", SlowContain);
        Assert.Equal(accepted, File.ReadAllLines(txt1));
        await Expect(page.Locator("#boxes-position")).ToHaveTextAsync("1 of 2 · 1 reviewed", SlowText);
        // Picture 1 shown again (so the next "suggested by" can only be picture 2's, not the one still on screen).
        await Expect(page.Locator("#boxes-status")).ToContainTextAsync($"Saved: {suggested} boxes", SlowContain);
        await page.ClickAsync("#boxes-next");
        await Expect(page.Locator("#boxes-status")).ToContainTextAsync("suggested by nanodet", SlowContain);
        int second = await page.Locator("g.box.suggested").CountAsync();
        await Shot("03-second-picture");
        await DrawBoxAsync(page, 0.01f, 0.01f, 0.06f, 0.05f);
        await Expect(page.Locator("g.box")).ToHaveCountAsync(second + 1);
        await Shot("04-drawn");
        await page.ClickAsync("#boxes-save");
        await Expect(page.Locator("#boxes-position")).ToContainTextAsync("2 reviewed", SlowContain);
        await Expect(page.Locator("#boxes-status")).ToContainTextAsync("Every picture is reviewed", SlowContain);
        var txt2 = Directory.EnumerateFiles(Path.Combine(data, "_unlabelled"), "*.txt").Single(f => f != txt1);
        var drawn = File.ReadAllLines(txt2);
        Assert.Equal(second + 1, drawn.Length);
        var last = Numbers(drawn[^1]);
        Assert.Equal(0, last[0]);
        Assert.InRange(last[3], 0.04, 0.06); // 5% of the width
        Assert.InRange(last[1], 0.025, 0.045); // centred at 3.5%
        await Shot("05-all-reviewed");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task BoxEditor_OnFramesOfAVideoAddedOnCollect_SavesBoxesThatTrainingReads_AsOneVideo()
    {
        await using var studio = await StudioSession.StartAsync("video-boxes-ui", 20_000);
        var (dir, url, http, page, errors) = (studio.Dir, studio.Url, studio.Http, studio.Page, studio.Errors);
        var data = Path.Combine(dir, "projects", "hall", "data");
        // A phone walk-through: three rooms of two seconds each (a moving square keeps every frame different).
        var clip = StudioMedia.Clip(Path.Combine(dir, "walk.mp4"), ("red", 2), ("green", 2), ("blue", 2));

        await CreateDetectionProjectAsync(page, url, "hall", "square");
        await Expect(page.Locator("#dropzone")).ToContainTextAsync("one picture per second");
        await page.SetInputFilesAsync("#files", clip);
        await Expect(page.Locator("#upload-summary")).ToContainTextAsync("1 added", new() { Timeout = 60_000 });
        var added = await page.Locator(".jobs").TextContentAsync();
        var count = System.Text.RegularExpressions.Regex.Match(added!, @"added: (\d+) frames");
        Assert.True(count.Success, $"the upload note says: {added}");
        var frames = int.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(frames is >= 4 and <= 7, $"1 per second of a 6 s clip, none of them a repeat; the upload note says: {added}");

        // The Boxes tab lists the frames as pictures; a box drawn on the first is saved beside that frame's picture.
        await Expect(page.Locator("#tab-boxes .count")).ToHaveTextAsync(frames.ToString(CultureInfo.InvariantCulture)); // pictures to box, not frames twice
        await page.ClickAsync("#tab-boxes");
        await Expect(page.Locator("#boxes-position")).ToHaveTextAsync($"1 of {frames} · 0 reviewed", SlowText);
        await Expect(page.Locator("#boxes-status")).ToContainTextAsync("suggested by", new() { Timeout = 30_000 });
        await DrawBoxAsync(page, 0.2f, 0.3f, 0.4f, 0.6f);
        await page.ClickAsync("#boxes-save");
        await Expect(page.Locator("#boxes-position")).ToContainTextAsync("1 reviewed", SlowContain);
        await Expect(page.Locator("#boxes-status")).ToContainTextAsync("suggested by", new() { Timeout = 30_000 }); // the next frame's
        await Expect(page.Locator("#boxes-note")).ToContainTextAsync("Saved 1 box on", SlowContain); // and what was saved stays in view
        await Expect(page.Locator("#classes li[data-class='square'] .count")).ToHaveTextAsync("1"); // the class counts its boxes
        // A frame that should not be here is left out with its button, and u brings it back.
        await page.ClickAsync("#boxes-leave-out");
        await Expect(page.Locator("#boxes-position")).ToContainTextAsync($"of {frames - 1} · 1 reviewed", SlowContain);
        await Expect(page.Locator("#boxes-note")).ToContainTextAsync("Left out", SlowContain);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(data, "_excluded"), "*.png", SearchOption.AllDirectories));
        await page.Keyboard.PressAsync("u");
        await Expect(page.Locator("#boxes-position")).ToContainTextAsync($"of {frames} · 1 reviewed", SlowContain);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(data, "_excluded"), "*.png", SearchOption.AllDirectories));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Shots, "boxes-video-frame.png") });

        var label = Directory.EnumerateFiles(Path.Combine(data, "_unlabelled"), "*.txt").Single();
        Assert.Matches(@"_frame_\d{7}\.txt$", label);
        Assert.True(File.Exists(Path.ChangeExtension(label, ".png")));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(data, "_unlabelled"), "*.mp4")); // the video is kept
        var dataset = Lookout.Core.Datasets.Boxes.BoxDatasetImporter.Import(data);
        var image = Assert.Single(dataset.Images);
        Assert.Equal("square", Assert.Single(image.Boxes).Label);
        Assert.StartsWith("video:", image.Group);
        Assert.Empty(errors);
    }

    /// <summary>A detection project made on the projects page, with one box class added in the side bar.</summary>
    private static async Task CreateDetectionProjectAsync(IPage page, string url, string name, string boxClass)
    {
        await page.GotoAsync(url + "/studio");
        await page.FillAsync("#new-project", name);
        await page.CheckAsync("#new-project-detect");
        await page.ClickAsync("#create-project");
        await Expect(page.Locator(".project-name")).ToHaveTextAsync(name, SlowText);
        await page.FillAsync("#new-class", boxClass);
        await page.ClickAsync("#add-class");
        await Expect(page.Locator($"#classes li[data-class='{boxClass}']")).ToBeVisibleAsync();
    }

    /// <summary>Drags a box on the editor's picture between two points given as fractions of it; Shift+drag draws even where a suggested box already is.</summary>
    private static async Task DrawBoxAsync(IPage page, float x1, float y1, float x2, float y2)
    {
        var stage = (await page.Locator("#boxes-stage svg").BoundingBoxAsync())!;
        await page.Keyboard.DownAsync("Shift");
        await page.Mouse.MoveAsync(stage.X + stage.Width * x1, stage.Y + stage.Height * y1);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(stage.X + stage.Width * x2, stage.Y + stage.Height * y2, new() { Steps = 4 });
        await page.Mouse.UpAsync();
        await page.Keyboard.UpAsync("Shift");
    }

    private static double[] Numbers(string line) => line.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
}

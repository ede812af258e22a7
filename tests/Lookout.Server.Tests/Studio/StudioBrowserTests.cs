using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lookout.Core.Tests.Studio;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Lookout.Server.Tests.Studio;

/// <summary>
/// The studio as a user drives it, in Debian's chromium with a fake camera playing a generated clip: an empty project
/// to labelled classes by upload (files, a folder, a drop), camera shots, a burst and a clip, and a URL list served
/// on loopback (allowed explicitly); AI suggestions accepted with keys; undo; the useful-first order; duplicates;
/// blurry pictures; a class rename; a walk-through video segmented and scored; the phone layout. Every screen is
/// saved as a PNG in the test's output folder (studio-screens/).
/// </summary>
public class StudioBrowserTests
{
    [Lookout.Tests.Shared.SmallDiskFact]
    public async Task AProjectOnAFullDisk_SaysSoOnEveryTab_AndTheWarningGoesOnceThereIsRoom()
    {
        using var disk = new Lookout.Tests.Shared.SmallDisk(16L * 1024 * 1024);
        await using var studio = await StudioSession.StartAsync("disk", 20_000, new StudioSessionOptions
        {
            Server = o => o with { StudioDirectory = Path.Combine(disk.Path, "projects") },
        });
        var page = studio.Page;
        (await studio.Http.PostAsJsonAsync("/v1/projects", new { name = "attic", backbone = "generated" })).EnsureSuccessStatusCode();
        await page.GotoAsync(studio.Url + "/studio#/p/attic/collect");
        await Expect(page.Locator(".project-name")).ToHaveTextAsync("attic");
        await Expect(page.Locator("#disk-low")).ToHaveCountAsync(0);

        var filler = disk.Fill();
        await page.ReloadAsync();
        await Expect(page.Locator("#disk-low")).ToContainTextAsync(new Regex(@"^Only \d+ KB left on the disk that holds this project"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "studio-screens", "00-disk-low.png") });
        await page.ClickAsync("#tab-train");
        await Expect(page.Locator("#disk-low")).ToBeVisibleAsync();

        File.Delete(filler);
        await page.ReloadAsync();
        await Expect(page.Locator(".project-name")).ToHaveTextAsync("attic");
        await Expect(page.Locator("#disk-low")).ToHaveCountAsync(0);
        Assert.Empty(studio.Errors);
    }


    [Fact]
    public async Task EmptyProject_ToLabelledClasses_ByUploadCameraAndUrls_ThenSuggestionsKeysAndAWalkthrough()
    {
        await using var studio = await StudioSession.StartAsync("ui", 20_000, new StudioSessionOptions
        {
            Server = o => o with { ImportAllowedRanges = ["127.0.0.1/32"] },
            Camera = dir => StudioMedia.Clip(Path.Combine(dir, "camera.y4m"), ("0x2030C8", 12)),
            Context = new() { ViewportSize = new() { Width = 1280, Height = 860 } },
        });
        var (dir, url, http, page, errors) = (studio.Dir, studio.Url, studio.Http, studio.Page, studio.Errors);
        var shots = Path.Combine(AppContext.BaseDirectory, "studio-screens");
        Directory.CreateDirectory(shots);
        var walk = StudioMedia.Clip(Path.Combine(dir, "walk.webm"), ("0xC82828", 2), ("0x808080", 1), ("0x28B428", 2));

        await using var images = new TinyHttpServer();
        images.Bytes("/green-1.png", StudioMedia.Textured(30, 190, 40, 11), "image/png")
              .Bytes("/green-2", StudioMedia.Textured(30, 200, 50, 12), "text/plain")
              .Bytes("/fake.jpg", "<html>no</html>"u8.ToArray(), "image/jpeg")
              .Redirect("/metadata.png", "http://169.254.169.254/latest/meta-data/");

        async Task Shot(string name) => await page.ScreenshotAsync(new() { Path = Path.Combine(shots, name + ".png") });

        // 1. An empty projects list; create a project and its classes.
        await page.GotoAsync(url + "/studio");
        await Expect(page.Locator("#projects")).ToContainTextAsync("No projects yet");
        await page.FillAsync("#new-project", "home");
        await Shot("01-projects");
        await page.ClickAsync("#create-project");
        await Expect(page.Locator(".project-name")).ToHaveTextAsync("home");
        (await http.PostAsJsonAsync("/v1/projects/home/settings", new { backbone = "generated" })).EnsureSuccessStatusCode(); // a small backbone keeps the test quick
        foreach (var c in new[] { "red", "green", "blue" })
        {
            await page.FillAsync("#new-class", c);
            await page.ClickAsync("#add-class");
            await Expect(page.Locator($"#classes li[data-class='{c}']")).ToBeVisibleAsync();
        }
        await page.FillAsync("#new-class", "../evil");
        await page.ClickAsync("#add-class");
        await Expect(page.Locator("#class-error")).ToContainTextAsync("cannot be in a folder name");

        // 2. Upload: files into "red" (one twice), a folder into "green", a drop into the inbox.
        await page.SelectOptionAsync("#target", "red");
        await page.SetInputFilesAsync("#files", new[]
        {
            Payload("r1.png", StudioMedia.Textured(200, 30, 30, 1)), Payload("r2.png", StudioMedia.Textured(210, 40, 30, 2)),
            Payload("r3.png", StudioMedia.Textured(190, 20, 40, 3)), Payload("r1-copy.png", StudioMedia.Textured(200, 30, 30, 1)),
            Payload("notes.jpg", "not a picture"u8.ToArray()),
        });
        await Expect(page.Locator("#upload-summary")).ToHaveTextAsync("3 added · 1 duplicates · 1 refused");
        var folder = Directory.CreateDirectory(Path.Combine(dir, "greens")).FullName;
        for (int i = 0; i < 3; i++) await File.WriteAllBytesAsync(Path.Combine(folder, $"g{i}.png"), StudioMedia.Textured(30, 200, 40, 20 + i));
        await page.SelectOptionAsync("#target", "green");
        await page.SetInputFilesAsync("#folder", folder);
        await Expect(page.Locator("#upload-summary")).ToHaveTextAsync("6 added · 1 duplicates · 1 refused");
        await page.SelectOptionAsync("#target", "");
        await Drop(page, "#dropzone", [
            ("in-red.png", StudioMedia.Textured(220, 35, 35, 40)), ("in-green.png", StudioMedia.Textured(35, 210, 45, 41)),
            ("in-blue.png", StudioMedia.Textured(35, 45, 215, 42)), ("in-blue-again.png", StudioMedia.Textured(35, 45, 215, 42, width: 161)),
            ("in-blurry.png", StudioMedia.Textured(200, 40, 40, 43, blur: 6)), ("in-grey.png", StudioMedia.Textured(128, 128, 128, 44)),
        ]);
        await Expect(page.Locator("#upload-summary")).ToHaveTextAsync("12 added · 1 duplicates · 1 refused");
        await Shot("02-collect-upload");

        // 3. Camera (the fake device plays a blue clip): a photo, a burst of 5, and a 2.5 s clip, all into "blue".
        await page.SelectOptionAsync("#target", "blue");
        await page.ClickAsync("#camera-start");
        var video = page.Locator("#camera");
        for (int i = 0; i < 100 && await video.EvaluateAsync<int>("v => v.videoWidth") == 0; i++) await Task.Delay(50);
        Assert.True(await video.EvaluateAsync<int>("v => v.videoWidth") > 0, "fake camera never produced a frame");
        await page.ClickAsync("#camera-shot");
        await Expect(page.Locator("#camera-note")).ToContainTextAsync("added");
        await page.ClickAsync("#camera-burst");
        await Expect(page.Locator("#camera-count")).ToContainTextAsync("6 photos taken", new() { Timeout = 30_000 });
        await page.ClickAsync("#camera-record");
        await Task.Delay(2600);
        await Shot("03-camera");
        await page.ClickAsync("#camera-record");
        await Expect(page.Locator("#camera-note")).ToContainTextAsync(new Regex(@"clip-\d+\.webm: added to blue \(\d+ frames?\)"), new() { Timeout = 30_000 });
        var project = await Project(http);
        Assert.True(project.GetProperty("classes").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "blue").GetProperty("items").GetInt32() >= 7);

        // 4. A URL list into "green": two images arrive, the fake and the metadata redirect are refused with reasons.
        await page.SelectOptionAsync("#target", "green");
        await page.FillAsync("#url-list", string.Join("\n", images.Url("/green-1.png"), images.Url("/green-2"), images.Url("/fake.jpg"), images.Url("/metadata.png"), "file:///etc/passwd"));
        await page.ClickAsync("#url-import");
        await Expect(page.Locator("#url-results tr.added")).ToHaveCountAsync(2);
        await Expect(page.Locator("#url-results tr.refused")).ToHaveCountAsync(3);
        await Expect(page.Locator("#url-results")).ToContainTextAsync("169.254.169.254 is a link-local (cloud metadata) address");
        await page.Locator("#url-results").ScrollIntoViewIfNeededAsync();
        await Shot("04-url-import");

        // 5. The inbox with the current model's suggestions; keys accept them; undo brings them back.
        StudioMedia.WriteRun(Path.Combine(dir, "projects", "home", ".lookout"), "train1", ["blue", "green", "red"]);
        await page.ReloadAsync();
        await page.ClickAsync("#tab-inbox");
        await Expect(page.Locator(".cell")).ToHaveCountAsync(6);
        await Expect(page.Locator("#suggest")).ToContainTextAsync("train1");
        await page.ClickAsync("#suggest");
        await Expect(page.Locator("#status")).ToContainTextAsync("train1: 6 suggestions");
        await Expect(page.Locator(".cell .sug")).ToHaveCountAsync(6);
        await Shot("05-inbox-suggestions");

        await page.SelectOptionAsync("#order", "useful");
        await Expect(page.Locator("#order-reason")).ToContainTextAsync("Diversity first");
        await Expect(page.Locator(".cell .rank")).ToHaveCountAsync(6);
        await page.Locator(".cell").First.ClickAsync();
        await Expect(page.Locator("#why")).ToContainTextAsync("#1: diversity");
        await Shot("06-inbox-useful-first");
        await page.SelectOptionAsync("#order", "added");

        // Near-duplicates: the blue picture and its resized copy; keep one.
        await page.ClickAsync("#duplicates");
        await Expect(page.Locator(".cell")).ToHaveCountAsync(2);
        await Expect(page.Locator(".cell .keep")).ToHaveCountAsync(1);
        await Shot("07-near-duplicates");
        await page.ClickAsync("#keep-one-each");
        await Expect(page.Locator(".cell")).ToHaveCountAsync(5);

        // The blurry one is flagged and excluded in one click.
        await Expect(page.Locator(".cell .blur")).ToHaveCountAsync(1);
        await page.ClickAsync("#exclude-blurry");
        await Expect(page.Locator(".cell")).ToHaveCountAsync(4);

        // Select the first picture, Enter accepts its suggestion; a key labels the next; Ctrl+Z undoes it.
        var first = page.Locator(".cell").First;
        var firstSuggestion = (await first.Locator(".sug").TextContentAsync())!.Split(' ')[0];
        await first.ClickAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".cell")).ToHaveCountAsync(3);
        await Expect(page.Locator("#status")).ToContainTextAsync("accepted suggestions: 1 item");
        await page.Locator(".cell").First.ClickAsync();
        await page.Keyboard.PressAsync("1"); // "blue" is the first class in the sidebar
        await Expect(page.Locator(".cell")).ToHaveCountAsync(2);
        await page.Keyboard.PressAsync("Control+z");
        await Expect(page.Locator(".cell")).ToHaveCountAsync(3);
        // Shift-click selects a range; "accept all at >= X" takes the confident ones, the grey one stays.
        await page.Locator(".cell").Nth(0).ClickAsync();
        await page.Locator(".cell").Nth(1).ClickAsync(new() { Modifiers = [KeyboardModifier.Shift] });
        await Expect(page.Locator("#selected-count")).ToHaveTextAsync("2 selected");
        await page.Keyboard.PressAsync("Escape");
        await page.FillAsync("#accept-threshold", "0.6");
        await page.ClickAsync("#accept-above");
        await Expect(page.Locator(".cell")).ToHaveCountAsync(1);
        await Expect(page.Locator(".cell .sug")).ToContainTextAsync(new Regex("^(red|green|blue) [3-5]\\d%$"));
        // The grey one: a rubber band drag selects it, and "3" files it under red.
        var box = (await page.Locator(".grid").BoundingBoxAsync())!;
        var cell = (await page.Locator(".cell").First.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(cell.X + cell.Width + 4, box.Y + 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(cell.X + cell.Width / 2, cell.Y + cell.Height / 2, new() { Steps = 4 });
        await page.Mouse.UpAsync();
        await Expect(page.Locator("#selected-count")).ToHaveTextAsync("1 selected");
        await page.Keyboard.PressAsync("3");
        try { await Expect(page.Locator(".cell")).ToHaveCountAsync(0); }
        catch { await Shot("failure"); throw new Exception("status: " + await page.Locator("#status").TextContentAsync() + " active: " + await page.Locator("body").EvaluateAsync<string>("b => document.activeElement.outerHTML.slice(0, 200)")); }
        await Expect(page.Locator("#status")).ToContainTextAsync("labelled red");

        project = await Project(http);
        Assert.Equal(0, project.GetProperty("inbox").GetInt32());
        Assert.Equal(2, project.GetProperty("excluded").GetInt32());
        Assert.Contains(firstSuggestion, new[] { "red", "green", "blue" });

        // 6. A class: rename "red" to "crimson" from the sidebar; its pictures follow.
        await page.ClickAsync("#classes li[data-class='red'] a");
        await Expect(page.Locator(".items h2")).ToContainTextAsync("red");
        // The grey one joined red just before: its count may still be on its way to the sidebar.
        await Expect(page.Locator("#classes li[data-class='red'] .count")).ToHaveTextAsync(new Regex("^([5-9]|\\d{2,})$"));
        int reds = int.Parse((await page.Locator("#classes li[data-class='red'] .count").TextContentAsync())!);
        Assert.True(reds >= 5, $"{reds} red pictures");
        await Expect(page.Locator(".cell")).ToHaveCountAsync(reds); // the grid shows exactly the class
        await Shot("08-class-red");
        await page.Locator("#classes li[data-class='red']").HoverAsync();
        await page.ClickAsync("#classes li[data-class='red'] .rename");
        await page.FillAsync(".rename-input", "crimson");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#classes li[data-class='crimson'] .count")).ToHaveTextAsync(reds.ToString());
        await Expect(page.Locator(".items h2")).ToContainTextAsync("crimson");
        Assert.True(Directory.Exists(Path.Combine(dir, "projects", "home", "data", "crimson")));

        // 7. A walk-through video: mark red 0-2 s, "none of these" 2-3 s, green 3-5 s; score the model on it.
        StudioMedia.WriteRun(Path.Combine(dir, "projects", "home", ".lookout"), "train2", ["blue", "crimson", "green"]);
        await page.ReloadAsync();
        await page.ClickAsync("#tab-walkthrough");
        await page.SetInputFilesAsync("#walkthrough-file", walk);
        await Expect(page.Locator("#walkthrough-status")).ToContainTextAsync("ready to mark");
        var player = page.Locator("#walkthrough-video");
        for (int i = 0; i < 100 && await player.EvaluateAsync<int>("v => v.readyState") < 1; i++) await Task.Delay(50);
        async Task Mark(double from, double to, string label)
        {
            await player.EvaluateAsync($"v => {{ v.currentTime = {from.ToString(System.Globalization.CultureInfo.InvariantCulture)}; }}");
            await Task.Delay(150);
            await page.ClickAsync("#seg-start");
            await player.EvaluateAsync($"v => {{ v.currentTime = {to.ToString(System.Globalization.CultureInfo.InvariantCulture)}; }}");
            await Task.Delay(150);
            await page.SelectOptionAsync("#seg-label", label);
            await page.ClickAsync("#seg-end");
        }
        await Mark(0, 2, "crimson");
        await Mark(2, 3, "__none__");
        await Mark(3, 4.9, "green");
        await Expect(page.Locator("#segments li")).ToHaveCountAsync(3);
        await page.ClickAsync("#seg-eval");
        await Expect(page.Locator("#walkthrough-eval")).ToContainTextAsync("train2 on this walk-through", new() { Timeout = 60_000 });
        var perFrame = await page.Locator("#eval-frame").TextContentAsync();
        var smoothed = await page.Locator("#eval-smooth").TextContentAsync();
        Assert.Matches(@"^\d+\.\d%$", perFrame!);
        Assert.Matches(@"^\d+\.\d%$", smoothed!);
        Assert.True(double.Parse(perFrame!.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture) >= 60, perFrame);
        await page.Locator("#walkthrough-eval").ScrollIntoViewIfNeededAsync();
        await Shot("09-walkthrough");
        using (var saved = JsonDocument.Parse(await http.GetStringAsync("/v1/projects/home/walkthroughs")))
            Assert.Equal(3, saved.RootElement.GetProperty("data")[0].GetProperty("segments").GetArrayLength());

        // 8. The phone layout: the same project on a 390 px screen.
        var phone = await studio.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2 });
        var mobile = await phone.NewPageAsync();
        await mobile.GotoAsync(url + "/studio#/p/home/class/green");
        await Expect(mobile.Locator(".cell").First).ToBeVisibleAsync();
        await mobile.ScreenshotAsync(new() { Path = Path.Combine(shots, "10-phone-class.png") });
        await mobile.ClickAsync(".menu");
        await Expect(mobile.Locator("aside")).ToBeVisibleAsync();
        await mobile.ScreenshotAsync(new() { Path = Path.Combine(shots, "11-phone-menu.png") });
        await mobile.GotoAsync(url + "/studio#/p/home/collect");
        await mobile.ScreenshotAsync(new() { Path = Path.Combine(shots, "12-phone-collect.png"), FullPage = true });
        await phone.CloseAsync();

        // The one failed request the test made on purpose: the "../evil" class name (400).
        Assert.True(errors.Count(e => e.Contains("status of 400")) == 1 && errors.Count == 1, string.Join("\n", errors));
    }

    private static FilePayload Payload(string name, byte[] bytes) => new() { Name = name, MimeType = "application/octet-stream", Buffer = bytes };

    private static async Task<JsonElement> Project(HttpClient http)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/v1/projects/home"));
        return doc.RootElement.GetProperty("data").Clone();
    }

    /// <summary>A real drop event carrying files (what dragging from the desktop delivers).</summary>
    private static async Task Drop(IPage page, string selector, (string Name, byte[] Bytes)[] files)
    {
        var payload = files.Select(f => new { name = f.Name, data = Convert.ToBase64String(f.Bytes) }).ToArray();
        var transfer = await page.EvaluateHandleAsync(@"files => {
            const dt = new DataTransfer();
            for (const f of files) {
                const bin = atob(f.data); const bytes = new Uint8Array(bin.length);
                for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
                dt.items.add(new File([bytes], f.name, { type: 'image/png' }));
            }
            return dt; }", payload);
        await page.DispatchEventAsync(selector, "drop", new Dictionary<string, object> { ["dataTransfer"] = transfer });
    }
}

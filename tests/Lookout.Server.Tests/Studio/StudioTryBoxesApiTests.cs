using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Lookout.Server.Tests.Studio;

/// <summary>
/// "Try it" (a run's answer, the "unknown" verdict and Grad-CAM for a picture) and the box editor's API (suggestions from
/// the shipped NanoDet, class mapping, saves to the YOLO file the detector trainer reads, undo) over HTTP.
/// </summary>
public class StudioTryBoxesApiTests
{
    /// <summary>The mean-colour classifier at 64x64 (so its Grad-CAM has pixels to show) as a run of a project.</summary>
    internal static void WriteColourRun(string projectRoot, string run, string[] labels, bool calibrated)
    {
        var dir = Path.Combine(projectRoot, ".lookout", "runs", run);
        Directory.CreateDirectory(dir);
        var w = new float[3 * labels.Length];
        for (int c = 0; c < labels.Length; c++) w[(labels[c] switch { "red" => 0, "green" => 1, _ => 2 }) * labels.Length + c] = 10;
        var centroids = labels.Select(l => l switch { "red" => new[] { 1f, 0, 0 }, "green" => [0, 1f, 0], _ => [0, 0, 1f] }).ToArray();
        var spec = new PreprocessSpec { Width = 64, Height = 64, Resize = ResizeMode.Stretch };
        var model = MeanColourClassifier.Build(labels, spec, w, new float[labels.Length], calibrated ? MeanColourClassifier.Thresholds(labels, centroids) : null);
        model.Metadata[Lookout.Core.Models.ModelMetadata.Run] = run;
        OnnxWriter.Save(model, Path.Combine(dir, "model.onnx"));
    }

    private static async Task<(Microsoft.AspNetCore.Builder.WebApplication App, HttpClient Client, string Dir)> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-studio-try-").FullName;
        var app = LookoutServer.BuildApp(new ServerOptions { StudioDirectory = Path.Combine(dir, "projects"), Workspace = Path.Combine(dir, "ws") },
            configure: b => b.WebHost.UseTestServer());
        await app.StartAsync();
        return (app, app.GetTestClient(), dir);
    }

    private static ByteArrayContent Raw(byte[] bytes)
    {
        var body = new ByteArrayContent(bytes);
        body.Headers.ContentType = new("application/octet-stream");
        return body;
    }

    [Fact]
    public async Task Try_AnswersWithScoresAndGradCam_SaysUnknown_ForRefusedAndNoneOfThese_AndExplainsBadInput()
    {
        var (app, client, dir) = await StartAsync();
        await using var _ = app;
        await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects", new { name = "colours", backbone = "generated" }));
        foreach (var c in new[] { "blue", "green", "red" }) await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects/colours/classes", new { name = c }));
        var root = Path.Combine(dir, "projects", "colours");
        await ClassifyApiTests.AssertError(await client.PostAsync("/v1/projects/colours/runs/latest/try", Raw(StudioMedia.Textured(220, 30, 30, 1))), 404); // no run yet
        WriteColourRun(root, "train1", ["blue", "green", "red"], calibrated: true);
        WriteColourRun(root, "train2", ["_none", "green", "red"], calibrated: false);

        var red = await StudioTrainApiTests.Data(await client.PostAsync("/v1/projects/colours/runs/train1/try?top=2", Raw(StudioMedia.Textured(230, 20, 20, 1))));
        Assert.Equal("train1", red.GetProperty("run").GetString());
        Assert.Equal("red", red.GetProperty("answer").GetString());
        Assert.False(red.GetProperty("unknown").GetBoolean());
        Assert.Equal(2, red.GetProperty("predictions").GetArrayLength());
        Assert.Equal("red", red.GetProperty("predictions")[0].GetProperty("label").GetString());
        Assert.True(red.GetProperty("predictions")[0].GetProperty("score").GetSingle() > 0.9f);
        Assert.Equal("red", red.GetProperty("explained").GetString());
        var png = Convert.FromBase64String(red.GetProperty("gradCam").GetString()!);
        using (var overlay = NetVips.Image.NewFromBuffer(png))
            Assert.Equal((64, 64), (overlay.Width, overlay.Height)); // at the model's input size
        // The calibrated thresholds refuse a grey picture: the verdict is "unknown", with the best guess still explained.
        var grey = await StudioTrainApiTests.Data(await client.PostAsync("/v1/projects/colours/runs/train1/try", Raw(StudioMedia.Textured(128, 128, 128, 2))));
        Assert.True(grey.GetProperty("unknown").GetBoolean());
        Assert.Equal("unknown", grey.GetProperty("answer").GetString());
        Assert.False(string.IsNullOrEmpty(grey.GetProperty("reason").GetString()));
        Assert.NotEqual("unknown", grey.GetProperty("explained").GetString());
        // "latest" is the newest run; its "none of these" class winning is "unknown" too.
        var blue = await StudioTrainApiTests.Data(await client.PostAsync("/v1/projects/colours/runs/latest/try", Raw(StudioMedia.Textured(20, 20, 230, 3))));
        Assert.Equal("train2", blue.GetProperty("run").GetString());
        Assert.True(blue.GetProperty("unknown").GetBoolean());
        Assert.Equal("none of these", blue.GetProperty("reason").GetString());
        Assert.Equal("_none", blue.GetProperty("explained").GetString());

        await ClassifyApiTests.AssertError(await client.PostAsync("/v1/projects/colours/runs/latest/try", Raw([])), 400);
        await ClassifyApiTests.AssertError(await client.PostAsync("/v1/projects/colours/runs/latest/try", Raw("not a picture"u8.ToArray())), 415);
        await ClassifyApiTests.AssertError(await client.PostAsync("/v1/projects/colours/runs/train9/try", Raw(StudioMedia.Textured(1, 2, 3, 4))), 404);
        await ClassifyApiTests.AssertError(await client.PostAsync("/v1/projects/colours/runs/latest/try", TestHost.Form(StudioMedia.Textured(1, 2, 3, 4))), 415);
        using (var openApi = JsonDocument.Parse(await client.GetStringAsync("/openapi.json")))
        {
            var paths = openApi.RootElement.GetProperty("paths");
            Assert.True(paths.TryGetProperty("/v1/projects/{project}/runs/{run}/try", out var tryPath));
            Assert.Contains("Grad-CAM", tryPath.GetProperty("post").GetProperty("summary").GetString());
            Assert.True(paths.TryGetProperty("/v1/projects/{project}/pictures/{id}/boxes", out var boxesPath), "the box routes are documented");
        }
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Boxes_SuggestedByNanoDet_MappedToAProjectClass_SavedAsYolo_ThatTheDetectorImporterReads_WithUndo()
    {
        var (app, client, dir) = await StartAsync();
        await using var _ = app;
        var project = await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects", new { name = "crowd", task = "detect" }));
        Assert.Equal("detect", project.GetProperty("task").GetString());
        await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects/crowd/classes", new { name = "people" }));
        var data = Path.Combine(dir, "projects", "crowd", "data");
        Assert.Equal(["people"], File.ReadAllLines(Path.Combine(data, "classes.txt")));
        Assert.False(Directory.Exists(Path.Combine(data, "people"))); // box classes have no folders
        var photo = await StudioTrainApiTests.Data(await client.PostAsync("/v1/projects/crowd/uploads?name=group.jpg", Raw(SamplePhotos.Photo(1))));
        long id = photo.GetProperty("ids")[0].GetInt64();
        await StudioTrainApiTests.Data(await client.PostAsync("/v1/projects/crowd/uploads?name=other.jpg", Raw(SamplePhotos.Photo(2))));
        // A class folder would make a picture a background image: a detection project refuses classes on pictures.
        await ClassifyApiTests.AssertError(await client.PostAsync("/v1/projects/crowd/uploads?name=x.jpg&class=people", Raw(SamplePhotos.Photo(3))), 409);
        await ClassifyApiTests.AssertError(await client.PostAsJsonAsync("/v1/projects/crowd/labels", new { ids = new[] { id }, label = "people" }), 409);

        var index = await StudioTrainApiTests.Data(await client.GetAsync("/v1/projects/crowd/boxes"));
        Assert.Equal(2, index.GetProperty("pictures").GetArrayLength());
        Assert.All(index.GetProperty("pictures").EnumerateArray(), p => Assert.False(p.GetProperty("reviewed").GetBoolean()));
        var view = await client.GetAsync($"/v1/projects/crowd/pictures/{id}");
        Assert.Equal("image/jpeg", view.Content.Headers.ContentType?.MediaType);
        using (var jpeg = NetVips.Image.NewFromBuffer(await view.Content.ReadAsByteArrayAsync()))
            Assert.Equal((1600, 1067), (jpeg.Width, jpeg.Height)); // 1920x1280 shrunk to the editor's 1600 px

        // NanoDet sees COCO "person", which is no class here until it is mapped to "people".
        var before = await StudioTrainApiTests.Data(await client.GetAsync($"/v1/projects/crowd/pictures/{id}/suggestions"));
        Assert.Equal("nanodet", before.GetProperty("detector").GetString());
        Assert.False(before.GetProperty("trained").GetBoolean());
        Assert.Equal(0, before.GetProperty("boxes").GetArrayLength());
        var seen = before.GetProperty("unmapped").EnumerateArray().First(u => u.GetProperty("label").GetString() == "person").GetProperty("boxes").GetInt32();
        Assert.True(seen >= 2, $"{seen} people in a group photo");
        await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects/crowd/boxes/map", new { from = "person", to = "people" }));
        var suggested = await StudioTrainApiTests.Data(await client.GetAsync($"/v1/projects/crowd/pictures/{id}/suggestions"));
        var boxes = suggested.GetProperty("boxes").EnumerateArray().ToList();
        Assert.Equal(seen, boxes.Count);
        Assert.All(boxes, b => { Assert.Equal("people", b.GetProperty("label").GetString()); Assert.Equal("person", b.GetProperty("detected").GetString()); });

        // Accept them all: the YOLO file beside the picture, class 0, centres and sizes normalised to 1920x1280.
        var saved = await StudioTrainApiTests.Data(await client.PostAsJsonAsync($"/v1/projects/crowd/pictures/{id}/boxes", new { boxes }));
        Assert.False(saved.GetProperty("before").GetProperty("reviewed").GetBoolean());
        Assert.Equal(seen, saved.GetProperty("after").GetProperty("boxes").GetArrayLength());
        var txt = Directory.EnumerateFiles(Path.Combine(data, "_unlabelled"), "*.txt").Single();
        var lines = File.ReadAllLines(txt);
        Assert.Equal(seen, lines.Length);
        var first = lines[0].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var b0 = boxes[0];
        Assert.Equal(0, first[0]);
        Assert.Equal((b0.GetProperty("x1").GetDouble() + b0.GetProperty("x2").GetDouble()) / 2 / 1920, first[1], 4);
        Assert.Equal((b0.GetProperty("y2").GetDouble() - b0.GetProperty("y1").GetDouble()) / 1280, first[4], 4);
        // What the detector trainer reads: the reviewed picture with its boxes; the unreviewed one is left out (not background).
        var dataset = BoxDatasetImporter.Import(data);
        Assert.True(BoxDatasetImporter.HasBoxes(data));
        Assert.Equal(["people"], dataset.Classes);
        Assert.Single(dataset.Images);
        Assert.Equal(seen, dataset.BoxCount);
        Assert.Empty(dataset.Errors);

        // A box outside the picture is refused and nothing changes; a save answers the previous boxes (undo), and clear un-reviews.
        await ClassifyApiTests.AssertError(await client.PostAsJsonAsync($"/v1/projects/crowd/pictures/{id}/boxes",
            new { boxes = new[] { new { label = "people", x1 = 10, y1 = 10, x2 = 2500, y2 = 50 } } }), 400);
        Assert.Equal(lines, File.ReadAllLines(txt));
        var edited = await StudioTrainApiTests.Data(await client.PostAsJsonAsync($"/v1/projects/crowd/pictures/{id}/boxes",
            new { boxes = new[] { new { label = "dog", x1 = 100, y1 = 200, x2 = 300, y2 = 520 } } }));
        Assert.Equal(seen, edited.GetProperty("before").GetProperty("boxes").GetArrayLength());
        Assert.Equal(["people", "dog"], File.ReadAllLines(Path.Combine(data, "classes.txt"))); // a new class is appended; ids never move
        Assert.Equal("1 0.104167 0.28125 0.104167 0.25", File.ReadAllText(txt).Trim());
        var reread = await StudioTrainApiTests.Data(await client.GetAsync($"/v1/projects/crowd/pictures/{id}/boxes"));
        Assert.Equal(100, reread.GetProperty("boxes")[0].GetProperty("x1").GetDouble(), 1);
        await StudioTrainApiTests.Data(await client.PostAsync($"/v1/projects/crowd/pictures/{id}/boxes/clear", null));
        Assert.False(File.Exists(txt));
        Assert.False((await StudioTrainApiTests.Data(await client.GetAsync($"/v1/projects/crowd/pictures/{id}/boxes"))).GetProperty("reviewed").GetBoolean());

        // A classification project is no box project until it is made one; its class folders become the first box classes.
        await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects", new { name = "pets" }));
        await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects/pets/classes", new { name = "cat" }));
        await ClassifyApiTests.AssertError(await client.GetAsync("/v1/projects/pets/boxes"), 409);
        var pets = await StudioTrainApiTests.Data(await client.PostAsJsonAsync("/v1/projects/pets/settings", new { task = "detect" }));
        Assert.Equal("detect", pets.GetProperty("task").GetString());
        Assert.Equal(["cat"], (await StudioTrainApiTests.Data(await client.GetAsync("/v1/projects/pets/boxes"))).GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Directory.Delete(dir, true);
    }
}

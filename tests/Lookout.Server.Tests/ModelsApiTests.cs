using System.Net;
using System.Text.Json;

namespace Lookout.Server.Tests;

public class ModelsApiTests
{
    [Fact]
    public async Task List_ShowsNameLabelsInputBackboneAndLoadTime_NeverAPath()
    {
        await using var host = await TestHost.StartAsync();
        var text = await host.Client.GetStringAsync("/v1/models");
        Assert.DoesNotContain(host.ModelsDir, text);
        using var doc = JsonDocument.Parse(text);
        var m = Assert.Single(doc.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal("colours", m.GetProperty("name").GetString());
        Assert.Equal(["red", "green", "blue"], m.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(8, m.GetProperty("input").GetProperty("width").GetInt32());
        Assert.Equal("mean-colour", m.GetProperty("backbone").GetString());
        Assert.Equal(1, m.GetProperty("version").GetInt32());
        Assert.True((DateTimeOffset.UtcNow - m.GetProperty("loadedAt").GetDateTimeOffset()).Duration() < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Reload_SwapsToNewFile_UnknownIs404_BrokenFileIs422_AndOldKeepsServing()
    {
        await using var host = await TestHost.StartAsync(o => o with { WatchModels = false });
        var red = TestModels.SolidImage(250, 0, 0);
        TestModels.Write(host.ModelsDir, "colours", TestModels.ColourClassifier(["rouge", "vert", "bleu"]));

        var reload = await host.Client.PostAsync("/v1/models/colours/reload", null);
        using (var doc = JsonDocument.Parse(await reload.Content.ReadAsStringAsync()))
            Assert.Equal(2, doc.RootElement.GetProperty("data").GetProperty("version").GetInt32());
        Assert.Equal("rouge", (await ClassifyApiTests.ReadData(await host.Client.PostAsync("/v1/classify", TestHost.Form(red))))[0].Class);
        Assert.True(host.Loader.Loaded[0].Disposed); // old session released once nothing used it

        await ClassifyApiTests.AssertError(await host.Client.PostAsync("/v1/models/nope/reload", null), 404);

        File.WriteAllBytes(Path.Combine(host.ModelsDir, "colours.onnx"), "not onnx"u8.ToArray());
        var broken = await ClassifyApiTests.AssertError(await host.Client.PostAsync("/v1/models/colours/reload", null), 422);
        Assert.DoesNotContain(host.ModelsDir, broken);
        Assert.Equal("rouge", (await ClassifyApiTests.ReadData(await host.Client.PostAsync("/v1/classify", TestHost.Form(red))))[0].Class);
    }

    [Fact]
    public async Task Reload_OfAFileThatLoadsButCannotRun_Is422_AndTheWorkingVersionKeepsServing()
    {
        await using var host = await TestHost.StartAsync(o => o with { WatchModels = false });
        var red = TestModels.SolidImage(250, 0, 0);
        var error = Assert.Throws<InvalidDataException>(() => new Lookout.Server.Models.ClassifierModelLoader().Load(
            TestModels.Write(host.ModelsDir, "other", TestModels.ClassifierThatCannotRun(["r", "g", "b"]))));
        Assert.Contains("the model loads but cannot run", error.Message);

        // The first pass runs at load (ONNX Runtime sets itself up then, not on a user's request): this file fails it.
        TestModels.Write(host.ModelsDir, "colours", TestModels.ClassifierThatCannotRun(["rouge", "vert", "bleu"]));
        var refused = await ClassifyApiTests.AssertError(await host.Client.PostAsync("/v1/models/colours/reload", null), 422);
        Assert.Contains("the previous version keeps serving", refused);
        Assert.DoesNotContain(host.ModelsDir, refused);
        Assert.Equal("red", (await ClassifyApiTests.ReadData(await host.Client.PostAsync("/v1/classify", TestHost.Form(red))))[0].Class);
    }
}

using System.Net;
using System.Text.Json;

namespace Lookout.Server.Tests;

public class DeepStackApiTests
{
    [Fact]
    public async Task Custom_ReturnsPredictions_WithWholeImageBox_AboveMinConfidence()
    {
        await using var host = await TestHost.StartAsync();
        var image = TestModels.SolidImage(240, 10, 10, width: 64, height: 48, format: ".jpg");
        var response = await host.Client.PostAsync("/v1/vision/custom/colours", TestHost.Form(image, "image"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("success").GetBoolean());
        var p = Assert.Single(doc.RootElement.GetProperty("predictions").EnumerateArray()); // default min 0.4: only red passes
        Assert.Equal(["label", "confidence", "x_min", "y_min", "x_max", "y_max"], p.EnumerateObject().Select(x => x.Name));
        Assert.Equal("red", p.GetProperty("label").GetString());
        Assert.Equal((0, 0, 64, 48), (p.GetProperty("x_min").GetInt32(), p.GetProperty("y_min").GetInt32(),
            p.GetProperty("x_max").GetInt32(), p.GetProperty("y_max").GetInt32()));

        var all = await host.Client.PostAsync("/v1/vision/custom/colours", TestHost.Form(image, "image", fields: ("min_confidence", "0")));
        using var allDoc = JsonDocument.Parse(await all.Content.ReadAsStringAsync());
        var confidences = allDoc.RootElement.GetProperty("predictions").EnumerateArray().Select(x => x.GetProperty("confidence").GetSingle()).ToList();
        Assert.Equal(3, confidences.Count);
        Assert.Equal(confidences.OrderByDescending(c => c), confidences);
    }

    [Fact]
    public async Task Scene_ReturnsTop1_AndList_NamesModels()
    {
        await using var host = await TestHost.StartAsync();
        var scene = await host.Client.PostAsync("/v1/vision/scene", TestHost.Form(TestModels.SolidImage(5, 5, 250), "image"));
        using var doc = JsonDocument.Parse(await scene.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal("blue", doc.RootElement.GetProperty("label").GetString());
        Assert.InRange(doc.RootElement.GetProperty("confidence").GetSingle(), 0.5f, 1f);

        var list = await host.Client.PostAsync("/v1/vision/custom/list", null);
        using var listDoc = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
        Assert.True(listDoc.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal(["colours"], listDoc.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        using var viaGet = JsonDocument.Parse(await host.Client.GetStringAsync("/v1/vision/custom/list"));
        Assert.Equal(["colours"], viaGet.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
    }

    [Theory]
    [InlineData("none", 400, "No valid image file found")]
    [InlineData("text", 415, "No valid image file found")]
    [InlineData("model", 404, "unknown model 'nope'")]
    public async Task Errors_UseDeepStackShape(string kind, int status, string error)
    {
        await using var host = await TestHost.StartAsync();
        var (url, content) = kind switch
        {
            "none" => ("/v1/vision/custom/colours", (HttpContent)new MultipartFormDataContent { { new StringContent("x"), "userid" } }),
            "text" => ("/v1/vision/scene", TestHost.Form("plain text"u8.ToArray(), "image")),
            _ => ("/v1/vision/custom/nope", TestHost.Form(TestModels.SolidImage(1, 1, 1), "image")),
        };
        var response = await host.Client.PostAsync(url, content);
        Assert.Equal(status, (int)response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
        Assert.Equal(error, doc.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Custom_Box_IsInDisplayedOrientation_ForExifRotatedJpeg()
    {
        await using var host = await TestHost.StartAsync();
        using var stored = NetVips.Image.NewFromBuffer(TestModels.SolidImage(240, 10, 10, width: 64, height: 48, format: ".jpg"));
        using var rotated = stored.Mutate(m => m.Set("orientation", 6)); // stored 64x48, displayed 48x64
        var jpeg = rotated.JpegsaveBuffer();
        var response = await host.Client.PostAsync("/v1/vision/custom/colours", TestHost.Form(jpeg, "image"));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var p = Assert.Single(doc.RootElement.GetProperty("predictions").EnumerateArray());
        Assert.Equal((48, 64), (p.GetProperty("x_max").GetInt32(), p.GetProperty("y_max").GetInt32()));
    }

    [Fact]
    public async Task ListModels_Duration_AndScene_MatchDeepStack()
    {
        await using var host = await TestHost.StartAsync();
        using var list = JsonDocument.Parse(await (await host.Client.PostAsync("/v1/vision/listmodels", null)).Content.ReadAsStringAsync());
        Assert.True(list.RootElement.GetProperty("success").GetBoolean());
        var model = Assert.Single(list.RootElement.GetProperty("models").EnumerateArray());
        Assert.Equal(["name", "dateupdated", "size"], model.EnumerateObject().Select(p => p.Name));
        Assert.Equal("colours", model.GetProperty("name").GetString());
        var file = new FileInfo(Path.Combine(host.ModelsDir, "colours.onnx"));
        Assert.Equal(file.Length / 1_000_000.0, model.GetProperty("size").GetDouble(), 4);
        Assert.Equal(file.LastWriteTimeUtc, model.GetProperty("dateupdated").GetDateTimeOffset().UtcDateTime);

        // DeepStack's scene reads only the image: a min_confidence above the top score changes nothing.
        var red = TestModels.SolidImage(240, 10, 10);
        using var scene = JsonDocument.Parse(await (await host.Client.PostAsync("/v1/vision/scene",
            TestHost.Form(red, "image", fields: ("min_confidence", "0.999")))).Content.ReadAsStringAsync());
        Assert.Equal("red", scene.RootElement.GetProperty("label").GetString());
        Assert.True(scene.RootElement.GetProperty("duration").GetDouble() > 0);
        using var custom = JsonDocument.Parse(await (await host.Client.PostAsync("/v1/vision/custom/colours", TestHost.Form(red, "image"))).Content.ReadAsStringAsync());
        Assert.True(custom.RootElement.GetProperty("duration").GetDouble() >= custom.RootElement.GetProperty("processMs").GetInt64() - 1);

        using var api = JsonDocument.Parse(await host.Client.GetStringAsync("/openapi.json"));
        var sceneForm = api.RootElement.GetProperty("paths").GetProperty("/v1/vision/scene").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema").GetProperty("properties");
        Assert.False(sceneForm.TryGetProperty("min_confidence", out _), "the scene route documents no min_confidence (DeepStack has none)");
        Assert.True(sceneForm.TryGetProperty("api_key", out _));
    }
}

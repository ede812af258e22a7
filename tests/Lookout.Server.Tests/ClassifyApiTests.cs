using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Lookout.Core.Inference;

namespace Lookout.Server.Tests;

public class ClassifyApiTests
{
    [Fact]
    public async Task RedImage_AnswersEnvelope_SortedHighestFirst()
    {
        await using var host = await TestHost.StartAsync();
        var response = await host.Client.PostAsync("/v1/classify", TestHost.Form(TestModels.SolidImage(230, 20, 20)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        Assert.Equal(["meta", "data"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["type", "code"], root.GetProperty("meta").EnumerateObject().Select(p => p.Name));
        Assert.Equal("success", root.GetProperty("meta").GetProperty("type").GetString());
        Assert.Equal(200, root.GetProperty("meta").GetProperty("code").GetInt32());
        var data = root.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(3, data.Count);
        Assert.All(data, d => Assert.Equal(["class", "score"], d.EnumerateObject().Select(p => p.Name)));
        Assert.Equal("red", data[0].GetProperty("class").GetString());
        var scores = data.Select(d => d.GetProperty("score").GetSingle()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.InRange(scores.Sum(), 0.999f, 1.001f);
        Assert.True(response.Headers.Contains("Server-Timing"));
    }

    [Fact]
    public async Task ImageField_RawBody_Top_AndModelParameter_AllWork()
    {
        await using var host = await TestHost.StartAsync();
        var green = TestModels.SolidImage(10, 240, 10, format: ".jpg");

        var viaImageField = await ReadData(await host.Client.PostAsync("/v1/classify?top=1", TestHost.Form(green, "image")));
        Assert.Equal("green", Assert.Single(viaImageField).Class);

        var raw = new ByteArrayContent(TestModels.SolidImage(10, 10, 240));
        raw.Headers.ContentType = new MediaTypeHeaderValue("text/plain"); // Content-Type is not trusted either way
        var viaBody = await ReadData(await host.Client.PostAsync("/v1/classify?model=colours&top=2", raw));
        Assert.Equal(2, viaBody.Count);
        Assert.Equal("blue", viaBody[0].Class);

        var formTop = await ReadData(await host.Client.PostAsync("/v1/classify", TestHost.Form(green, fields: [("top", "1"), ("model", "colours")])));
        Assert.Single(formTop);
    }

    [Fact]
    public async Task ServerScores_EqualDirectClassify_OfSameImageAndModel_Exactly()
    {
        await using var host = await TestHost.StartAsync();
        var image = TestModels.SolidImage(180, 90, 40, width: 123, height: 77, format: ".jpg");
        var data = await ReadData(await host.Client.PostAsync("/v1/classify", TestHost.Form(image)));

        using var direct = ClassifierModel.Load(Path.Combine(host.ModelsDir, "colours.onnx"));
        var expected = direct.Classify(image, top: 3);
        Assert.True(expected.Ok);
        Assert.Equal(expected.Predictions.Select(p => (p.Label, p.Score)), data); // exact float equality, same order
    }

    [Theory]
    [InlineData("corrupt", 400)]
    [InlineData("text", 415)]
    [InlineData("empty", 400)]
    [InlineData("huge", 413)]
    [InlineData("pixels", 413)]
    public async Task BadImages_GetTheRightStatus_InTheEnvelope(string kind, int status)
    {
        await using var host = await TestHost.StartAsync(o => o with { MaxUploadBytes = 64 * 1024, MaxPixels = 1_000_000 });
        var png = TestModels.SolidImage(1, 2, 3);
        HttpContent content = kind switch
        {
            "corrupt" => TestHost.Form(png[..(png.Length / 2)]),
            "text" => TestHost.Form("hello, I am not a picture"u8.ToArray(), fileName: "fake.png"),
            "empty" => new ByteArrayContent([]),
            "huge" => new ByteArrayContent(new byte[200 * 1024]),
            _ => TestHost.Form(TestModels.SolidImage(1, 2, 3, width: 1500, height: 1000)),
        };
        var response = await host.Client.PostAsync("/v1/classify", content);
        await AssertError(response, status);
    }

    [Fact]
    public async Task UnknownModel_404_BadTop_400_WrongMethod_405_UnknownRoute_404()
    {
        await using var host = await TestHost.StartAsync();
        var png = TestModels.SolidImage(200, 0, 0);
        await AssertError(await host.Client.PostAsync("/v1/classify?model=nope", TestHost.Form(png)), 404, "nope");
        await AssertError(await host.Client.PostAsync("/v1/classify?top=zero", TestHost.Form(png)), 400, "top");
        await AssertError(await host.Client.GetAsync("/v1/classify"), 405);
        await AssertError(await host.Client.GetAsync("/v1/nothing-here"), 404);
    }

    [Fact]
    public async Task FailingModel_Gives500_WithoutStackTraceOrPath()
    {
        GatedModel? gated = null;
        var loader = new TestLoader(m => gated = new GatedModel(m) { Throw = true });
        await using var host = await TestHost.StartAsync(loader: loader);
        var response = await host.Client.PostAsync("/v1/classify", TestHost.Form(TestModels.SolidImage(1, 1, 1)));
        var body = await AssertError(response, 500, "inference failed");
        Assert.DoesNotContain("/secret", body);
        Assert.DoesNotContain(" at ", body);
        Assert.NotNull(gated);
    }

    internal static async Task<List<(string Class, float Score)>> ReadData(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("data").EnumerateArray()
            .Select(d => (d.GetProperty("class").GetString()!, d.GetProperty("score").GetSingle())).ToList();
    }

    [Fact]
    public async Task CalibratedModel_AnswersUnknownFirst_ForWhatItDoesNotKnow_AndTheClassForWhatItDoes()
    {
        await using var host = await TestHost.StartAsync(seed: dir =>
            TestModels.Write(dir, "colours", TestModels.CalibratedColourClassifier(["red", "green", "blue"])));

        var grey = await ReadData(await host.Client.PostAsync("/v1/classify", TestHost.Form(TestModels.SolidImage(128, 128, 128))));
        Assert.Equal("unknown", grey[0].Item1);
        Assert.Equal(grey[1].Item2, grey[0].Item2);                 // carries the best class's score: the list stays sorted
        Assert.Equal(4, grey.Count);                                // unknown + the three classes (top 5 by default)

        var red = await ReadData(await host.Client.PostAsync("/v1/classify", TestHost.Form(TestModels.SolidImage(240, 10, 10))));
        Assert.Equal("red", red[0].Item1);
        Assert.DoesNotContain(red, r => r.Item1 == "unknown");

        var scene = await host.Client.PostAsync("/v1/vision/scene", TestHost.Form(TestModels.SolidImage(128, 128, 128), "image"));
        using var doc = JsonDocument.Parse(await scene.Content.ReadAsStringAsync());
        Assert.Equal("unknown", doc.RootElement.GetProperty("label").GetString());
    }

    internal static async Task<string> AssertError(HttpResponseMessage response, int status, string? messagePart = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        var meta = doc.RootElement.GetProperty("meta");
        Assert.Equal("error", meta.GetProperty("type").GetString());
        Assert.Equal(status, meta.GetProperty("code").GetInt32());
        var message = meta.GetProperty("message").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(message));
        if (messagePart is not null) Assert.Contains(messagePart, message);
        Assert.False(doc.RootElement.TryGetProperty("data", out _));
        return text;
    }
}

using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Lookout.Server.Tests;

/// <summary>/v1/detect (envelope) and /v1/vision/detection (DeepStack) on the real nanodet model and a sample photo.</summary>
public sealed class DetectApiTests(VisionHost vision) : IClassFixture<VisionHost>
{
    private const int PhotoWidth = 1920, PhotoHeight = 1280; // sample1.jpg: a group photo of people
    private HttpClient Client => vision.Client;

    [Fact]
    public async Task DeepStackDetection_FindsPeople_WithIntegerBoxesInsideTheImage()
    {
        var response = await Client.PostAsync("/v1/vision/detection", TestHost.Form(SamplePhotos.Photo(1), "image"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        Assert.True(root.GetProperty("success").GetBoolean());
        Assert.True(root.GetProperty("inferenceMs").GetInt64() >= 0);
        Assert.True(root.GetProperty("processMs").GetInt64() >= root.GetProperty("inferenceMs").GetInt64());
        var predictions = root.GetProperty("predictions").EnumerateArray().ToList();
        var people = predictions.Where(p => p.GetProperty("label").GetString() == "person").ToList();
        Assert.True(people.Count >= 2, $"{people.Count} people found in a group photo");
        Assert.All(predictions, p =>
        {
            Assert.Equal(["label", "confidence", "x_min", "y_min", "x_max", "y_max"], p.EnumerateObject().Select(x => x.Name));
            Assert.Equal(JsonValueKind.Number, p.GetProperty("x_min").ValueKind);
            Assert.True(p.GetProperty("x_min").TryGetInt32(out _), "boxes are whole pixels");
            Assert.InRange(p.GetProperty("confidence").GetSingle(), 0.4f, 1f); // default min_confidence 0.4
            int x1 = p.GetProperty("x_min").GetInt32(), y1 = p.GetProperty("y_min").GetInt32();
            int x2 = p.GetProperty("x_max").GetInt32(), y2 = p.GetProperty("y_max").GetInt32();
            Assert.True(0 <= x1 && x1 < x2 && x2 <= PhotoWidth, $"x {x1}..{x2}");
            Assert.True(0 <= y1 && y1 < y2 && y2 <= PhotoHeight, $"y {y1}..{y2}");
        });
        var confidences = predictions.Select(p => p.GetProperty("confidence").GetSingle()).ToList();
        Assert.Equal(confidences.OrderByDescending(c => c), confidences);

        var strict = await Client.PostAsync("/v1/vision/detection", TestHost.Form(SamplePhotos.Photo(1), "image", fields: ("min_confidence", "0.8")));
        using var strictDoc = JsonDocument.Parse(await strict.Content.ReadAsStringAsync());
        var kept = strictDoc.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("confidence").GetSingle()).ToList();
        Assert.All(kept, c => Assert.True(c >= 0.8f));
        Assert.True(kept.Count < predictions.Count || predictions.All(p => p.GetProperty("confidence").GetSingle() >= 0.8f));
    }

    [Fact]
    public async Task Detect_Envelope_FiltersClasses_AndMatchesTheDeepStackRoute()
    {
        var response = await Client.PostAsync("/v1/detect", TestHost.Form(SamplePhotos.Photo(1), fields: ("classes", "person, dog")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("infer;dur=", response.Headers.GetValues("Server-Timing").Single());
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("success", doc.RootElement.GetProperty("meta").GetProperty("type").GetString());
        var data = doc.RootElement.GetProperty("data").EnumerateArray().ToList();
        Assert.NotEmpty(data);
        Assert.All(data, d =>
        {
            Assert.Equal(["label", "score", "box"], d.EnumerateObject().Select(x => x.Name));
            Assert.Contains(d.GetProperty("label").GetString(), new[] { "person", "dog" });
            var box = d.GetProperty("box");
            Assert.Equal(["x1", "y1", "x2", "y2"], box.EnumerateObject().Select(x => x.Name));
            Assert.InRange(box.GetProperty("x2").GetSingle(), box.GetProperty("x1").GetSingle(), PhotoWidth);
            Assert.InRange(box.GetProperty("y2").GetSingle(), box.GetProperty("y1").GetSingle(), PhotoHeight);
        });

        // Same model, same image, same threshold: the DeepStack route reports the same people (rounded boxes).
        var deepstack = await Client.PostAsync("/v1/vision/detection", TestHost.Form(SamplePhotos.Photo(1), "image"));
        using var ds = JsonDocument.Parse(await deepstack.Content.ReadAsStringAsync());
        var dsPeople = ds.RootElement.GetProperty("predictions").EnumerateArray().Where(p => p.GetProperty("label").GetString() == "person").ToList();
        var people = data.Where(d => d.GetProperty("label").GetString() == "person").ToList();
        Assert.Equal(people.Count, dsPeople.Count);
        Assert.Equal((int)MathF.Round(people[0].GetProperty("box").GetProperty("x1").GetSingle()), dsPeople[0].GetProperty("x_min").GetInt32());

        var dogsOnly = await Client.PostAsync("/v1/detect", TestHost.Form(SamplePhotos.Photo(1), fields: ("classes", "dog")));
        using var dogs = JsonDocument.Parse(await dogsOnly.Content.ReadAsStringAsync());
        Assert.All(dogs.RootElement.GetProperty("data").EnumerateArray(), d => Assert.Equal("dog", d.GetProperty("label").GetString()));
    }

    [Fact]
    public async Task Detect_Annotate_ReturnsTheFullSizeJpegWithBoxes()
    {
        var photo = SamplePhotos.Photo(1);
        var response = await Client.PostAsync("/v1/detect", TestHost.Form(photo, fields: ("annotate", "true")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        var jpeg = await response.Content.ReadAsByteArrayAsync();
        using var annotated = NetVips.Image.NewFromBuffer(jpeg);
        using var original = NetVips.Image.NewFromBuffer(photo);
        Assert.Equal((PhotoWidth, PhotoHeight), (annotated.Width, annotated.Height));
        // Boxes and captions were drawn: the picture differs clearly from the original somewhere.
        using var diff = (annotated - original).Abs();
        Assert.True(diff.Max() > 100, $"largest pixel change {diff.Max()}");
    }

    [Theory]
    [InlineData("/v1/detect", "classes", "unicorn", "unknown class 'unicorn'")]
    [InlineData("/v1/detect", "min_score", "2", "min_score must be a number between 0 and 1")]
    [InlineData("/v1/detect", "annotate", "maybe", "annotate must be true or false")]
    public async Task Detect_BadOptions_Are400InTheEnvelope(string url, string field, string value, string message)
    {
        var response = await Client.PostAsync(url, TestHost.Form(TestModels.SolidImage(1, 2, 3), fields: (field, value)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("error", doc.RootElement.GetProperty("meta").GetProperty("type").GetString());
        Assert.StartsWith(message, doc.RootElement.GetProperty("meta").GetProperty("message").GetString());
    }

    [Fact]
    public async Task NonImage_Is415_InBothStyles_AndMissingImage400()
    {
        var text = "just some text, not a picture"u8.ToArray();
        var envelope = await Client.PostAsync("/v1/detect", TestHost.Form(text));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, envelope.StatusCode);
        using (var doc = JsonDocument.Parse(await envelope.Content.ReadAsStringAsync()))
            Assert.Equal(415, doc.RootElement.GetProperty("meta").GetProperty("code").GetInt32());

        var deepstack = await Client.PostAsync("/v1/vision/detection", TestHost.Form(text, "image"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, deepstack.StatusCode);
        using (var doc = JsonDocument.Parse(await deepstack.Content.ReadAsStringAsync()))
        {
            Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
            Assert.Equal("No valid image file found", doc.RootElement.GetProperty("error").GetString());
        }

        var none = await Client.PostAsync("/v1/vision/detection", new MultipartFormDataContent { { new StringContent("0.5"), "min_confidence" } });
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
        Assert.Contains("No valid image file found", await none.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_CountDetectionRoutes_AndTheDetectorLoad()
    {
        var ok = await Client.PostAsync("/v1/vision/detection", TestHost.Form(SamplePhotos.Photo(2), "image"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var metrics = await Client.GetStringAsync("/metrics");
        Assert.Contains("lookout_http_requests_total{route=\"/v1/vision/detection\",method=\"POST\",status=\"200\"}", metrics);
        Assert.Contains("lookout_model_load_seconds{model=\"nanodet\"}", metrics);
        Assert.Matches("lookout_vision_inference_seconds_count\\{model=\"nanodet\"\\} [1-9]", metrics);
    }

    [Fact]
    public async Task Latency_ThroughHttp_IsReported()
    {
        var photo = SamplePhotos.Photo(3);
        await Client.PostAsync("/v1/vision/detection", TestHost.Form(photo, "image")); // warm
        var times = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            var r = await Client.PostAsync("/v1/vision/detection", TestHost.Form(photo, "image"));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"[latency] /v1/vision/detection 1920x1280 JPEG, median {times[2]:0} ms (min {times[0]:0}, max {times[^1]:0})");
        Assert.True(times[2] < 5000, $"median {times[2]} ms");
    }
}

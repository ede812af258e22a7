using System.Net;
using System.Text.Json;
using Lookout.Core.Inference.Faces;
using Lookout.Server.Vision;
using Microsoft.Extensions.DependencyInjection;

namespace Lookout.Server.Tests;

/// <summary>DeepStack face routes on the real BlazeFace + FaceRes models, the sample photos and a temp workspace gallery.</summary>
public sealed class FaceApiTests(VisionHost vision) : IClassFixture<VisionHost>
{
    private HttpClient Client => vision.Client;

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private static MultipartFormDataContent Fields(params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        return form;
    }

    [Fact]
    public async Task Register_List_Recognize_Delete_RoundTrip()
    {
        // Enrol the largest face of sample3 as alice (image1/image2 form, as DeepStack clients send several photos).
        var register = TestHost.Form(SamplePhotos.Photo(3), "image1", "a.jpg", ("userid", "alice"));
        register.Add(new ByteArrayContent(TestModels.SolidImage(0, 0, 0, 64, 48)), "image2", "blank.png"); // no face: skipped
        var registered = await Client.PostAsync("/v1/vision/face/register", register);
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        var body = await Json(registered);
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal("face added", body.GetProperty("message").GetString());

        var list = await Json(await Client.PostAsync("/v1/vision/face/list", null));
        Assert.True(list.GetProperty("success").GetBoolean());
        Assert.Equal(["alice"], list.GetProperty("faces").EnumerateArray().Select(f => f.GetString()));

        // The mirrored photo: alice again (new pixels), the other people in it are strangers.
        var mirrored = await Json(await Client.PostAsync("/v1/vision/face/recognize", TestHost.Form(SamplePhotos.Mirrored(3), "image")));
        Assert.True(mirrored.GetProperty("success").GetBoolean());
        var faces = mirrored.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(3, faces.Count);
        Assert.All(faces, f => Assert.Equal(["userid", "confidence", "x_min", "y_min", "x_max", "y_max"], f.EnumerateObject().Select(x => x.Name)));
        var alice = Assert.Single(faces, f => f.GetProperty("userid").GetString() == "alice");
        Assert.InRange(alice.GetProperty("confidence").GetSingle(), FaceRecognizer.DefaultThreshold, 1f);
        Assert.All(faces.Where(f => f.GetProperty("userid").GetString() != "alice"), f =>
        {
            Assert.Equal("unknown", f.GetProperty("userid").GetString());
            Assert.Equal(0f, f.GetProperty("confidence").GetSingle());
        });

        // Strangers stay unknown even when the client asks for 0.01 (HASS-Deepstack-face #50) ...
        var strangers = SamplePhotos.Photo(5);
        var lax = await Json(await Client.PostAsync("/v1/vision/face/recognize", TestHost.Form(strangers, "image", fields: ("min_confidence", "0.01"))));
        var laxFaces = lax.GetProperty("predictions").EnumerateArray().ToList();
        Assert.NotEmpty(laxFaces);
        Assert.All(laxFaces, f => Assert.Equal("unknown", f.GetProperty("userid").GetString()));
        // ... which matters: at a 0.01 threshold the gallery itself would call some of them alice.
        var models = vision.Host.App.Services.GetRequiredService<VisionModels>();
        Assert.Contains(models.FaceService.Recognize(strangers, 0.01f).Faces, f => f.Match.Name == "alice");

        // A min_confidence above alice's similarity raises the bar: she becomes unknown.
        float similarity = alice.GetProperty("confidence").GetSingle();
        Assert.True(similarity < 0.999f, $"mirrored-photo similarity {similarity}: new pixels, not an identical descriptor");
        var strict = await Json(await Client.PostAsync("/v1/vision/face/recognize",
            TestHost.Form(SamplePhotos.Mirrored(3), "image", fields: ("min_confidence", (similarity + 0.001f).ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        Assert.All(strict.GetProperty("predictions").EnumerateArray(), f => Assert.Equal("unknown", f.GetProperty("userid").GetString()));

        var deleted = await Client.PostAsync("/v1/vision/face/delete", Fields(("userid", "alice")));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.True((await Json(deleted)).GetProperty("success").GetBoolean());
        Assert.Empty((await Json(await Client.PostAsync("/v1/vision/face/list", null))).GetProperty("faces").EnumerateArray());
        Assert.True(File.Exists(Path.Combine(vision.Host.Workspace, "catalog.db")), "the gallery lives in <workspace>/catalog.db");
    }

    [Fact]
    public async Task FaceDetection_BoxesInsideTheImage()
    {
        var response = await Client.PostAsync("/v1/vision/face", TestHost.Form(SamplePhotos.Photo(1), "image"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        Assert.True(body.GetProperty("success").GetBoolean());
        var faces = body.GetProperty("predictions").EnumerateArray().ToList();
        Assert.True(faces.Count >= 3, $"{faces.Count} faces in a group photo");
        Assert.All(faces, f =>
        {
            Assert.Equal("face", f.GetProperty("label").GetString());
            Assert.InRange(f.GetProperty("confidence").GetSingle(), 0.5f, 1f);
            Assert.InRange(f.GetProperty("x_min").GetInt32(), 0, f.GetProperty("x_max").GetInt32() - 1);
            Assert.InRange(f.GetProperty("x_max").GetInt32(), 1, 1920);
            Assert.InRange(f.GetProperty("y_max").GetInt32(), f.GetProperty("y_min").GetInt32() + 1, 1280);
        });
    }

    [Theory]
    [InlineData("register-no-user", 400, "user id not specified")]
    [InlineData("register-blank-user", 400, "user id not specified")]
    [InlineData("register-text", 415, "No valid image file found")]
    [InlineData("register-no-face", 400, "no face found")]
    [InlineData("register-no-image", 400, "No valid image file found")]
    [InlineData("recognize-text", 415, "No valid image file found")]
    [InlineData("recognize-no-image", 400, "No valid image file found")]
    [InlineData("face-text", 415, "No valid image file found")]
    [InlineData("delete-no-user", 400, "user id not specified")]
    [InlineData("recognize-bad-min", 400, "min_confidence must be a number between 0 and 1")]
    public async Task Errors_UseDeepStackShape(string kind, int status, string error)
    {
        var text = "not an image"u8.ToArray();
        var face = SamplePhotos.Photo(3);
        var (url, content) = kind switch
        {
            "register-no-user" => ("/v1/vision/face/register", TestHost.Form(face, "image")),
            "register-blank-user" => ("/v1/vision/face/register", TestHost.Form(face, "image", fields: ("userid", "  "))),
            "register-text" => ("/v1/vision/face/register", TestHost.Form(text, "image", fields: ("userid", "bob"))),
            "register-no-face" => ("/v1/vision/face/register", TestHost.Form(TestModels.SolidImage(90, 90, 90, 64, 48), "image", fields: ("userid", "bob"))),
            "register-no-image" => ("/v1/vision/face/register", Fields(("userid", "bob"))),
            "recognize-text" => ("/v1/vision/face/recognize", TestHost.Form(text, "image")),
            "recognize-no-image" => ("/v1/vision/face/recognize", Fields(("min_confidence", "0.5"))),
            "face-text" => ("/v1/vision/face", TestHost.Form(text, "image")),
            "delete-no-user" => ("/v1/vision/face/delete", Fields(("name", "bob"))),
            _ => ("/v1/vision/face/recognize", TestHost.Form(face, "image", fields: ("min_confidence", "high"))),
        };
        var response = await Client.PostAsync(url, content);
        Assert.Equal(status, (int)response.StatusCode);
        var body = await Json(response);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(error, body.GetProperty("error").GetString());
    }
}

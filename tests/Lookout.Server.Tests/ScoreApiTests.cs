using System.Net;
using System.Text.Json;

namespace Lookout.Server.Tests;

/// <summary>/v1/score on the real COCO NanoDet and a sample group photo: a built-in recipe by name, a recipe sent as
/// text, and the errors (bad YAML 400 with the line, unknown name 404, a word no class matches 400); documented in OpenAPI.</summary>
public sealed class ScoreApiTests(VisionHost vision) : IClassFixture<VisionHost>
{
    private HttpClient Client => vision.Client;

    private static async Task<JsonElement> Data(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("data").Clone();
    }

    [Fact]
    public async Task RecipeText_CountsPeople_PointsAndVerdictMatchTheDetections()
    {
        var yaml = "points:\n  person: 2 each up to 2\n  laptop: 1\nverdicts:\n  - {min: 4, say: a meeting}\n  - {say: alone}";
        var data = await Data(await Client.PostAsync("/v1/score", TestHost.Form(SamplePhotos.Photo(1), fields: ("recipe_text", yaml))));
        var people = data.GetProperty("detections").EnumerateArray().Count(d => d.GetProperty("label").GetString() == "person");
        Assert.True(people >= 2, $"{people} people");
        Assert.Equal(4.0, data.GetProperty("total").GetDouble());
        Assert.Equal("a meeting", data.GetProperty("verdict").GetString());
        var line = data.GetProperty("lines")[0];
        Assert.Equal(people, line.GetProperty("found").GetInt32());
        Assert.Equal(2, line.GetProperty("counted").GetInt32());
        Assert.Equal("nanodet", data.GetProperty("model").GetString());
    }

    [Fact]
    public async Task BuiltInRecipeByName_AndErrors()
    {
        var office = await Data(await Client.PostAsync("/v1/score?recipe=home-office", TestHost.Form(SamplePhotos.Photo(2))));
        Assert.Equal("home office", office.GetProperty("recipe").GetString());
        Assert.Contains(office.GetProperty("lines").EnumerateArray(), l => l.GetProperty("labels")[0].GetString() == "potted plant");
        Assert.False(string.IsNullOrEmpty(office.GetProperty("verdict").GetString()));

        var bad = await Client.PostAsync("/v1/score", TestHost.Form(SamplePhotos.Photo(2), fields: ("recipe_text", "points:\n  plant: lots")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("line 2", await bad.Content.ReadAsStringAsync());
        var missing = await Client.PostAsync("/v1/score", TestHost.Form(SamplePhotos.Photo(2), fields: ("recipe", "garden")));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var traversal = await Client.PostAsync("/v1/score", TestHost.Form(SamplePhotos.Photo(2), fields: ("recipe", "../secrets")));
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
        var word = await Client.PostAsync("/v1/score", TestHost.Form(SamplePhotos.Photo(2), fields: ("recipe_text", "points: {unicorn: 1}")));
        Assert.Equal(HttpStatusCode.BadRequest, word.StatusCode);
        Assert.Contains("unicorn", await word.Content.ReadAsStringAsync());
        var none = await Client.PostAsync("/v1/score", TestHost.Form(SamplePhotos.Photo(2)));
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);

        var openapi = await Client.GetStringAsync("/openapi.json");
        Assert.Contains("/v1/score", openapi);
        Assert.Contains("recipe_text", openapi);
    }
}

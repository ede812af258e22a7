using System.Net.Http.Headers;

namespace Lookout.Tests.Shared;

/// <summary>How one upload route answered one image: the status, and whether the image was decoded and answered.</summary>
public sealed record RouteAnswer(string Route, int Status, bool Answered, string Body);

/// <summary>
/// Every route of the server that takes an image, posted the way clients do (multipart field <c>image</c>), and the
/// verdict each answer implies. Face registration of a picture without a face is still "decoded and answered".
/// </summary>
public static class UploadRoutes
{
    public static IReadOnlyList<string> All(string model) =>
    [
        "/v1/classify?model=" + model, "/v1/detect", "/v1/vision/custom/" + model, "/v1/vision/scene?model=" + model,
        "/v1/vision/detection", "/v1/vision/face", "/v1/vision/face/recognize", "/v1/vision/face/register", "/v1/score?recipe=home-office",
    ];

    public static async Task<RouteAnswer> PostAsync(HttpClient client, string route, byte[] image, string fileName, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "image", fileName);
        if (route.EndsWith("/register", StringComparison.Ordinal)) form.Add(new StringContent("fuzz"), "userid");
        using var response = await client.PostAsync(route, form, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        int status = (int)response.StatusCode;
        bool answered = status == 200 || (status == 400 && route.EndsWith("/register", StringComparison.Ordinal) && body.Contains("no face found"));
        return new RouteAnswer(route, status, answered, body);
    }
}

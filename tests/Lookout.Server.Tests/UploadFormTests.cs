using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Lookout.Server.Tests;

/// <summary>
/// Malformed and over-limit forms on every upload route: each is a 4xx in the route family's error shape that names
/// its cause, never a 500 (wrong boundary used to be "Unexpected end of Stream") or a wrong reason (100 fields used
/// to be "larger than 20 MB"). None of these requests reaches a model.
/// </summary>
public sealed class UploadFormTests(VisionHost vision) : IClassFixture<VisionHost>
{
    private HttpClient Client => vision.Client;

    /// <summary>Every route that reads a form.</summary>
    public static TheoryData<string> Routes => new()
    {
        "/v1/classify", "/v1/detect", "/v1/vision/custom/colours", "/v1/vision/scene", "/v1/vision/detection",
        "/v1/vision/face", "/v1/vision/face/register", "/v1/vision/face/recognize", "/v1/vision/face/delete",
    };

    /// <summary>A hand-built multipart body, so the tests control every byte (boundaries, headers, truncation).</summary>
    private static ByteArrayContent Raw(string contentType, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private static byte[] Multipart(string boundary, bool close, params (string Name, string? FileName, byte[] Data)[] parts)
    {
        using var ms = new MemoryStream();
        void W(string s) => ms.Write(Encoding.UTF8.GetBytes(s));
        foreach (var (name, fileName, data) in parts)
        {
            W($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"" + (fileName is null ? "" : $"; filename=\"{fileName}\"") + "\r\n\r\n");
            ms.Write(data);
            W("\r\n");
        }
        if (close) W($"--{boundary}--\r\n");
        return ms.ToArray();
    }

    private static readonly byte[] Png = TestModels.SolidImage(200, 10, 10);

    private static async Task<string> AssertError(HttpResponseMessage response, string route, int status, string reason)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{route}: expected {status}, got {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        var message = route.StartsWith("/v1/vision")
            ? doc.RootElement.GetProperty("error").GetString()!
            : doc.RootElement.GetProperty("meta").GetProperty("message").GetString()!;
        if (route.StartsWith("/v1/vision")) Assert.False(doc.RootElement.GetProperty("success").GetBoolean());
        else Assert.Equal(status, doc.RootElement.GetProperty("meta").GetProperty("code").GetInt32());
        Assert.Contains(reason, message);
        return message;
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task WrongBoundary_Truncated_NoBoundary_Are400_WithTheReason(string route)
    {
        var body = Multipart("real-boundary", close: true, ("image", "a.png", Png), ("userid", null, "bob"u8.ToArray()));
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data; boundary=other-boundary", body)), route, 400,
            "does not contain the boundary");
        // A long body with the wrong boundary trips the reader's preamble limit instead of ending: same answer.
        var big = Multipart("real-boundary", close: true, ("image", "a.jpg", SamplePhotos.Photo(1)));
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data; boundary=other-boundary", big)), route, 400,
            "does not contain the boundary");
        var truncated = Multipart("b0undary", close: false, ("userid", null, "bob"u8.ToArray()), ("image", "a.png", Png))[..^40];
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data; boundary=b0undary", truncated)), route, 400,
            "ended before its closing boundary");
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data", body)), route, 400, "without a boundary");
        await AssertError(await Client.PostAsync(route, Raw($"multipart/form-data; boundary={new string('b', 71)}", body)), route, 400,
            "longer than 70 characters");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task FormLimits_Are413_NamingTheLimit(string route)
    {
        var hundredFields = Enumerable.Range(0, 100).Select(i => ($"f{i}", (string?)null, "x"u8.ToArray())).ToArray();
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data; boundary=bb", Multipart("bb", true, hundredFields))), route, 413,
            "too many form fields: more than 64");
        var urlencoded = new FormUrlEncodedContent(Enumerable.Range(0, 100).Select(i => new KeyValuePair<string, string>($"f{i}", "x")));
        await AssertError(await Client.PostAsync(route, urlencoded), route, 413, "too many form fields: more than 64");
        var huge = Multipart("bb", true, ("image", "a.png", Png), ("userid", null, Encoding.UTF8.GetBytes(new string('a', 10_000))));
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data; boundary=bb", huge)), route, 413,
            "form field 'userid' is longer than 4096 bytes");
        var files = Enumerable.Range(1, 40).Select(i => ($"image{i}", (string?)$"{i}.png", Png)).ToArray();
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data; boundary=bb", Multipart("bb", true, files))), route, 413,
            "too many files in the form: more than 32");
    }

    [Fact]
    public async Task UploadOverTheSizeLimit_Is413_WithTheLimit_WithOrWithoutContentLength()
    {
        await using var host = await TestHost.StartAsync(o => o with { MaxUploadBytes = 64 * 1024 });
        var big = new byte[100 * 1024];
        await ClassifyApiTests.AssertError(await host.Client.PostAsync("/v1/classify", TestHost.Form(big)), 413, "upload larger than the limit of 0.1 MB");
        await ClassifyApiTests.AssertError(await host.Client.PostAsync("/v1/classify", new Chunked(TestHost.Form(big))), 413, "upload larger than the limit");
        await ClassifyApiTests.AssertError(await host.Client.PostAsync("/v1/classify", new Chunked(new ByteArrayContent(big))), 413, "upload larger than the limit");
        var response = await host.Client.PostAsync("/v1/vision/scene", new Chunked(TestHost.Form(big, "image")));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task ChunkedBodyWithoutLength_IsReadLikeAnyOther()
    {
        var viaForm = await Client.PostAsync("/v1/classify", new Chunked(TestHost.Form(Png)));
        Assert.Equal("red", (await ClassifyApiTests.ReadData(viaForm))[0].Class);
        var raw = await Client.PostAsync("/v1/classify", new Chunked(new ByteArrayContent(Png)));
        Assert.Equal("red", (await ClassifyApiTests.ReadData(raw))[0].Class);
    }

    [Theory]
    [InlineData("/v1/classify")]
    [InlineData("/v1/vision/scene")]
    public async Task MissingEmptyTwoFiles_UrlEncoded_Json_AreClear4xx(string route)
    {
        bool deepstack = route.StartsWith("/v1/vision");
        string NoImage(string detail) => deepstack ? "No valid image file found" : detail;

        var noFile = Multipart("bb", true, ("model", null, "colours"u8.ToArray()));
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data; boundary=bb", noFile)), route, 400, NoImage("no image in the request"));
        var empty = Multipart("bb", true, ("image", "a.png", []));
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data; boundary=bb", empty)), route, 400, NoImage("the uploaded image 'image' is empty"));
        var two = Multipart("bb", true, ("image", "a.png", Png), ("file", "b.png", Png));
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data; boundary=bb", two)), route, 400, NoImage("one image per request: the form has 2 files"));
        var urlencoded = new FormUrlEncodedContent([new("image", "not-a-file")]);
        await AssertError(await Client.PostAsync(route, urlencoded), route, 400, NoImage("an urlencoded form cannot carry a file"));
        var json = new StringContent("{\"image\":\"aGVsbG8=\"}", Encoding.UTF8, "application/json");
        await AssertError(await Client.PostAsync(route, json), route, 415, NoImage("a JSON body is not an image"));
        var partWithoutDisposition = Encoding.UTF8.GetBytes("--bb\r\nContent-Type: image/png\r\n\r\nxxxx\r\n--bb--\r\n");
        await AssertError(await Client.PostAsync(route, Raw("multipart/form-data; boundary=bb", partWithoutDisposition)), route, 400,
            "no 'Content-Disposition: form-data' header");
    }

    [Fact]
    public async Task ImagePartWithoutFileName_IsStillTheImage_AndRepeatedFieldsTakeTheFirst()
    {
        // Some HTTP libraries omit filename= on a bytes part: it is the image, not an over-long text field.
        var body = Multipart("bb", true, ("image", null, Png), ("top", null, "1"u8.ToArray()), ("top", null, "3"u8.ToArray()));
        var data = await ClassifyApiTests.ReadData(await Client.PostAsync("/v1/classify", Raw("multipart/form-data; boundary=\"bb\"", body)));
        Assert.Equal("red", Assert.Single(data).Class);
    }

    [Fact]
    public async Task FieldOnlyRoutes_TakeUrlEncodedForms()
    {
        var response = await Client.PostAsync("/v1/vision/face/delete", new FormUrlEncodedContent([new("userid", "nobody here")]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Sends its content with Transfer-Encoding: chunked (no Content-Length), as a streaming client does.</summary>
    private sealed class Chunked : HttpContent
    {
        private readonly HttpContent _inner;

        public Chunked(HttpContent inner)
        {
            _inner = inner;
            Headers.ContentType = inner.Headers.ContentType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}

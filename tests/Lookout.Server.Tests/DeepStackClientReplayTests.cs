using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Tests;

/// <summary>
/// Replays what Home Assistant's deepstack-python and node-red-contrib-deepstack send (field names, key placement,
/// content types, see <see cref="DeepStackWire"/>) against the real detector, face models and a classifier, and
/// reads the answers as their parsing code does; once without an API key and once with one in the form field
/// <c>api_key</c>, where those clients put it.
/// </summary>
public class DeepStackClientReplayTests
{
    private const string Key = "s3cret-key-123";

    private static (int Width, int Height) SizeOf(byte[] image)
    {
        using var decoded = NetVips.Image.NewFromBuffer(image);
        return (decoded.Width, decoded.Height);
    }

    private static async Task BothClientsWork(HttpClient http, string pythonKey, string? nodeKey)
    {
        var python = new DeepstackPythonClient(http, pythonKey);
        var node = new NodeRedDeepstackClient(http, nodeKey, nodeKey is null ? null : "admin-key-ignored");
        var people = SamplePhotos.Photo(1);
        var (width, height) = SizeOf(people);

        // Home Assistant object detection: predictions -> get_objects (fractions of the image) -> summary.
        var objects = DeepstackPythonClient.GetObjects(await python.DetectObjects(people), width, height);
        Assert.Contains(objects, o => o.Name == "person" && o.Confidence >= 45);
        Assert.All(objects, o => Assert.True(o.XMin >= 0 && o.XMax <= 1 && o.YMin >= 0 && o.YMax <= 1 && o.Area > 0, $"{o}"));
        var red = TestModels.SolidImage(240, 10, 10, width: 64, height: 48, format: ".jpg");
        Assert.Equal(new Dictionary<string, int> { ["red"] = 1 }, DeepstackPythonClient.GetObjectsSummary(await python.DetectObjects(red, "colours")));
        Assert.Equal("red", (await python.RecognizeScene(red)).Label); // min_confidence comes along and is ignored, as DeepStack does

        // Faces: register (requests' single "image" part), again ("face updated"), recognize, list.
        Assert.NotEmpty(await python.DetectFaces(SamplePhotos.Photo(3)));
        Assert.Equal("face added", await python.RegisterFace("alice", SamplePhotos.Photo(3)));
        Assert.Equal("face updated", await python.RegisterFace("alice", SamplePhotos.Photo(3)));
        Assert.Contains("alice", DeepstackPythonClient.GetRecognizedFaces(await python.RecognizeFaces(SamplePhotos.Mirrored(3))).Keys);
        Assert.Equal(["alice"], await python.RegisteredFaces());

        // Node-RED: detection and custom model messages, outlines, registration of image0..imageN, recognition.
        var (payload, success, duration) = NodeRedDeepstackClient.DetectionMessage(await node.ObjectDetection(people, 45 / 100.0));
        Assert.True(success);
        Assert.True(duration > 0, "duration is DeepStack's processing time (ms)");
        Assert.Contains(payload, p => p.GetProperty("label").GetString() == "person");
        Assert.All(payload.Select(NodeRedDeepstackClient.Outline), o => Assert.True(o.Width > 0 && o.Height > 0 && o.X + o.Width <= width));
        var custom = NodeRedDeepstackClient.DetectionMessage(await node.CustomModel(red, 0.45, "colours"));
        Assert.Equal("red", Assert.Single(custom.Payload).GetProperty("label").GetString());
        var registered = NodeRedDeepstackClient.RegistrationMessage(await node.FaceRegistration([SamplePhotos.Photo(3), SamplePhotos.Mirrored(3)], "alice"));
        Assert.Equal(("face updated", true), registered);
        var faces = (await node.FaceRecognition(SamplePhotos.Mirrored(3), 0.45)).GetProperty("predictions").EnumerateArray();
        Assert.Contains(faces, f => f.GetProperty("userid").GetString() == "alice");
    }

    [Fact]
    public async Task WithoutAnApiKey_BothClientsWork_EvenThoughPythonSendsAnEmptyKey()
    {
        await using var host = await TestHost.StartAsync();
        await BothClientsWork(host.Client, pythonKey: "", nodeKey: null);
    }

    [Fact]
    public async Task WithAnApiKey_TheFormFieldIsAccepted_WrongOrMissingIsRefused_AndTheKeyIsNeverLogged()
    {
        var logs = new ConcurrentQueue<string>();
        await using var host = await TestHost.StartAsync(o => o with { ApiKey = Key }, configure: b =>
        {
            b.Logging.SetMinimumLevel(LogLevel.Trace);
            b.Logging.AddProvider(new CapturingLoggerProvider(logs));
        });
        await BothClientsWork(host.Client, pythonKey: Key, nodeKey: Key);

        // Wrong or missing key: deepstack-python raises on the status, Node-RED's got rejects on any non-2xx.
        var red = TestModels.SolidImage(240, 10, 10, format: ".jpg");
        var wrong = new DeepstackPythonClient(host.Client, "s3cret-key-124");
        Assert.Contains("401", (await Assert.ThrowsAsync<DeepstackException>(() => wrong.DetectObjects(red, "colours"))).Message);
        await Assert.ThrowsAsync<DeepstackException>(() => wrong.RegisterFace("mallory", SamplePhotos.Photo(1)));
        await Assert.ThrowsAnyAsync<KeyNotFoundException>(wrong.RegisteredFaces); // no "faces" in the 401 body
        var keyless = new NodeRedDeepstackClient(host.Client, apiKey: null);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => keyless.CustomModel(red, 0.45, "colours"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(["alice"], await new DeepstackPythonClient(host.Client, Key).RegisteredFaces());

        // The headers still work everywhere; the form field is DeepStack's, not the /v1 envelope API's.
        var header = new HttpRequestMessage(HttpMethod.Post, "/v1/vision/scene") { Content = TestHost.Form(red, "image") };
        header.Headers.Add("X-Api-Key", Key);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(header)).StatusCode);
        await ClassifyApiTests.AssertError(await host.Client.PostAsync("/v1/classify", TestHost.Form(red, fields: ("api_key", Key))), 401);

        Assert.NotEmpty(logs);
        Assert.DoesNotContain(logs, line => line.Contains(Key) || line.Contains("s3cret"));
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                lines.Enqueue($"{category} scope {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category} {logLevel} {formatter(state, exception)} {exception}");
        }
    }
}

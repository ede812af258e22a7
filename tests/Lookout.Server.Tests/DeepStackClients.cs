using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Lookout.Server.Tests;

/// <summary>
/// The requests real DeepStack clients send, byte for byte as their code builds them, and the way they read the
/// answers. Modelled on deepstack-python's core.py (the client the Home Assistant integrations pin; requests builds the
/// form: data fields first, then <c>files={"image": bytes}</c>, a part named and file-named "image" with no
/// Content-Type) with the Home Assistant integration's <c>get_objects</c>, and on node-red-contrib-deepstack's
/// deepstack-integration.js (form-data: the image as image.jpg/image/jpeg first, then min_confidence, api_key,
/// admin_key; face registration sends image0..imageN).
/// </summary>
internal static class DeepStackWire
{
    /// <summary>What python-requests sends for <c>requests.post(url, files={"image": image}, data=data)</c>.</summary>
    public static HttpContent Requests(IEnumerable<(string Name, string Value)> data, byte[]? image)
    {
        var boundary = Guid.NewGuid().ToString("N"); // urllib3: uuid4().hex
        var body = new MemoryStream();
        foreach (var (name, value) in data) Part(body, boundary, $"form-data; name=\"{name}\"", null, Encoding.UTF8.GetBytes(value));
        if (image is not null) Part(body, boundary, "form-data; name=\"image\"; filename=\"image\"", null, image);
        Write(body, $"--{boundary}--\r\n");
        return Content(body, $"multipart/form-data; boundary={boundary}");
    }

    /// <summary>What python-requests sends for <c>requests.post(url, data=data)</c> with no files: an urlencoded form.</summary>
    public static HttpContent RequestsData(IEnumerable<(string Name, string Value)> data) =>
        new FormUrlEncodedContent(data.Select(d => new KeyValuePair<string, string>(d.Name, d.Value)));

    /// <summary>What the form-data package sends for Node-RED: files as <c>image.jpg</c> (image/jpeg), then text fields.</summary>
    public static HttpContent FormData(IEnumerable<(string Name, byte[] Image, string FileName)> files, IEnumerable<(string Name, string Value)> fields)
    {
        var boundary = "--------------------------" + string.Concat(Enumerable.Range(0, 24).Select(_ => (char)('0' + Random.Shared.Next(10))));
        var body = new MemoryStream();
        foreach (var (name, image, fileName) in files) Part(body, boundary, $"form-data; name=\"{name}\"; filename=\"{fileName}\"", "image/jpeg", image);
        foreach (var (name, value) in fields) Part(body, boundary, $"form-data; name=\"{name}\"", null, Encoding.UTF8.GetBytes(value));
        Write(body, $"--{boundary}--\r\n");
        return Content(body, $"multipart/form-data; boundary={boundary}");
    }

    private static void Part(MemoryStream body, string boundary, string disposition, string? contentType, byte[] data)
    {
        Write(body, $"--{boundary}\r\nContent-Disposition: {disposition}\r\n");
        if (contentType is not null) Write(body, $"Content-Type: {contentType}\r\n");
        Write(body, "\r\n");
        body.Write(data);
        Write(body, "\r\n");
    }

    private static void Write(MemoryStream body, string s) => body.Write(Encoding.UTF8.GetBytes(s));

    private static ByteArrayContent Content(MemoryStream body, string contentType)
    {
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }
}

/// <summary>deepstack-python's DeepstackException: any status but 200 (404 named as a bad URL).</summary>
internal sealed class DeepstackException(string message) : Exception(message);

/// <summary>deepstack-python's classes and parsing functions, as Home Assistant uses them.</summary>
internal sealed class DeepstackPythonClient(HttpClient http, string apiKey, float minConfidence = 0.45f)
{
    private const string Base = "/v1/vision";

    /// <summary>post_image + process_image: the key and min_confidence go into the form data on every call.</summary>
    private async Task<JsonElement> ProcessImage(string url, byte[] image, params (string, string)[] data)
    {
        var fields = new List<(string, string)>(data) { ("api_key", apiKey), ("min_confidence", minConfidence.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        var response = await http.PostAsync(url, DeepStackWire.Requests(fields, image));
        if ((int)response.StatusCode == 200) return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        if ((int)response.StatusCode == 404) throw new DeepstackException($"Bad url supplied, url {url} raised error 404");
        throw new DeepstackException($"Error from Deepstack request, status code: {(int)response.StatusCode}");
    }

    /// <summary>DeepstackObject(custom_model=...).detect: <c>response["predictions"]</c>.</summary>
    public async Task<List<JsonElement>> DetectObjects(byte[] image, string? customModel = null) =>
        (await ProcessImage(customModel is null ? $"{Base}/detection" : $"{Base}/custom/{customModel}", image)).GetProperty("predictions").EnumerateArray().ToList();

    /// <summary>DeepstackScene.recognize: the answer without "success" (label, confidence).</summary>
    public async Task<(string Label, double Confidence)> RecognizeScene(byte[] image)
    {
        var response = await ProcessImage($"{Base}/scene", image);
        return (response.GetProperty("label").GetString()!, response.GetProperty("confidence").GetDouble());
    }

    /// <summary>DeepstackFace.detect.</summary>
    public async Task<List<JsonElement>> DetectFaces(byte[] image) =>
        (await ProcessImage($"{Base}/face", image)).GetProperty("predictions").EnumerateArray().ToList();

    /// <summary>DeepstackFace.register: the message when success is true, an exception with the error when false.</summary>
    public async Task<string> RegisterFace(string name, byte[] image)
    {
        var response = await ProcessImage($"{Base}/face/register", image, ("userid", name));
        if (response.GetProperty("success").GetBoolean()) return response.GetProperty("message").GetString()!;
        throw new DeepstackException($"Deepstack raised an error registering a face: {response.GetProperty("error").GetString()}");
    }

    /// <summary>DeepstackFace.recognize.</summary>
    public async Task<List<JsonElement>> RecognizeFaces(byte[] image) =>
        (await ProcessImage($"{Base}/face/recognize", image)).GetProperty("predictions").EnumerateArray().ToList();

    /// <summary>get_stored_faces: <c>requests.post(url, data={"api_key": key}).json()["faces"]</c> (no status check).</summary>
    public async Task<List<string>> RegisteredFaces()
    {
        var response = await http.PostAsync($"{Base}/face/list", DeepStackWire.RequestsData([("api_key", apiKey)]));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("faces").EnumerateArray().Select(f => f.GetString()!).ToList(); // KeyError in Python when refused
    }

    /// <summary>get_recognized_faces: {userid: round(confidence * 100, 1)} for every face that is not "unknown".</summary>
    public static Dictionary<string, double> GetRecognizedFaces(IEnumerable<JsonElement> predictions) =>
        predictions.Where(f => f.GetProperty("userid").GetString() != "unknown")
            .GroupBy(f => f.GetProperty("userid").GetString()!)
            .ToDictionary(g => g.Key, g => Math.Round(g.Last().GetProperty("confidence").GetDouble() * 100, 1));

    /// <summary>get_objects_summary: count per label.</summary>
    public static Dictionary<string, int> GetObjectsSummary(IEnumerable<JsonElement> predictions) =>
        predictions.GroupBy(p => p.GetProperty("label").GetString()!).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The Home Assistant integration's get_objects: boxes as fractions of the image, area and centroid.</summary>
    public static List<(string Name, double Confidence, double YMin, double XMin, double YMax, double XMax, double Area)> GetObjects(
        IEnumerable<JsonElement> predictions, int width, int height) =>
        predictions.Select(p =>
        {
            int xMin = p.GetProperty("x_min").GetInt32(), yMin = p.GetProperty("y_min").GetInt32();
            int xMax = p.GetProperty("x_max").GetInt32(), yMax = p.GetProperty("y_max").GetInt32();
            double h = Math.Round((yMax - yMin) / (double)height, 3), w = Math.Round((xMax - xMin) / (double)width, 3);
            return (p.GetProperty("label").GetString()!, Math.Round(p.GetProperty("confidence").GetDouble() * 100, 1),
                Math.Round(yMin / (double)height, 3), Math.Round(xMin / (double)width, 3),
                Math.Round(yMax / (double)height, 3), Math.Round(xMax / (double)width, 3), Math.Round(h * w, 3));
        }).ToList();
}

/// <summary>node-red-contrib-deepstack's deepstack-integration.js and how its nodes read the result.</summary>
internal sealed class NodeRedDeepstackClient(HttpClient http, string? apiKey, string? adminKey = null)
{
    private IEnumerable<(string, string)> Keys()
    {
        if (!string.IsNullOrEmpty(apiKey)) yield return ("api_key", apiKey);
        if (!string.IsNullOrEmpty(adminKey)) yield return ("admin_key", adminKey);
    }

    /// <summary>got: a non-2xx answer rejects the promise (HTTPError); otherwise <c>JSON.parse(response.body)</c>.</summary>
    private async Task<JsonElement> Post(string route, HttpContent form)
    {
        var response = await http.PostAsync("/v1" + route, form);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"Response code {(int)response.StatusCode}", null, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public Task<JsonElement> ObjectDetection(byte[] image, double confidence) =>
        Post("/vision/detection", DeepStackWire.FormData([("image", image, "image.jpg")], [("min_confidence", Js(confidence)), .. Keys()]));

    public Task<JsonElement> CustomModel(byte[] image, double confidence, string model) =>
        Post("/vision/custom/" + model, DeepStackWire.FormData([("image", image, "image.jpg")], [("min_confidence", Js(confidence)), .. Keys()]));

    public Task<JsonElement> FaceRecognition(byte[] image, double confidence) =>
        Post("/vision/face/recognize", DeepStackWire.FormData([("image", image, "image.jpg")], [("min_confidence", Js(confidence)), .. Keys()]));

    public Task<JsonElement> FaceRegistration(IReadOnlyList<byte[]> images, string userid) =>
        Post("/vision/face/register", DeepStackWire.FormData(images.Select((im, i) => ($"image{i}", im, $"image{i}.jpg")), [("userid", userid), .. Keys()]));

    /// <summary>The object/custom node: msg.payload = predictions, msg.success, msg.duration = result.duration || 0.</summary>
    public static (List<JsonElement> Payload, bool Success, double Duration) DetectionMessage(JsonElement result) =>
        (result.GetProperty("predictions").EnumerateArray().ToList(), result.GetProperty("success").GetBoolean(),
         result.TryGetProperty("duration", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : 0);

    /// <summary>The registration node: msg.payload = result.message || result.error; msg.success = result.success.</summary>
    public static (string Payload, bool Success) RegistrationMessage(JsonElement result) =>
        ((result.TryGetProperty("message", out var m) ? m.GetString() : result.GetProperty("error").GetString())!, result.GetProperty("success").GetBoolean());

    /// <summary>getOutlines: where the node draws each box.</summary>
    public static (int X, int Y, int Width, int Height) Outline(JsonElement p) =>
        (p.GetProperty("x_min").GetInt32(), p.GetProperty("y_min").GetInt32(),
         p.GetProperty("x_max").GetInt32() - p.GetProperty("x_min").GetInt32(), p.GetProperty("y_max").GetInt32() - p.GetProperty("y_min").GetInt32());

    /// <summary>JavaScript's String(number) for the confidences the node sends (config.confidence / 100).</summary>
    private static string Js(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

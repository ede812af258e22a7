using System.Net;
using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Models;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Training.Detection;

namespace Lookout.Server.Tests;

/// <summary>
/// A detector made by <c>train --task detect</c> dropped into the models folder is served by name on /v1/detect and
/// the DeepStack custom route (CodeProject.AI's custom models are detectors), with its own labels; the classifier
/// routes are unaffected. The file here is the class-sized NanoDet before training, lowered to a tiny score threshold
/// so it answers something: the wiring is under test, the learning is tested in Core.
/// </summary>
public sealed class TrainedDetectorApiTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(seed: dir =>
    {
        TestModels.Write(dir, "colours", TestModels.ColourClassifier(["red", "green", "blue"]));
        var model = NanoDetGraph.WithClasses(NanoDetGraph.WithInputSize(OnnxReader.Load(ModelCatalog.Default().GetPath("nanodet")), 128), 2, seed: 1);
        // Exported as train --task detect exports (decode + NMS in the graph); an older raw-head file is read too.
        OnnxWriter.Save(DetectorExport.Build(model, ["parcel", "cat flap"], "nanodet", "detect1", "test"), Path.Combine(dir, "porch.onnx"));
        var raw = NanoDetGraph.WithClasses(NanoDetGraph.WithInputSize(OnnxReader.Load(ModelCatalog.Default().GetPath("nanodet")), 128), 2, seed: 1);
        DetectorExport.WriteMetadata(raw, ["parcel", "cat flap"], "nanodet", "detect0", "test");
        OnnxWriter.Save(raw, Path.Combine(dir, "porch-old.onnx"));
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static byte[] Photo() => Lookout.Core.Datasets.Synthetic.Png.Encode(new RgbImage(160, 120, Enumerable.Range(0, 160 * 120 * 3).Select(i => (byte)(i * 7 % 251)).ToArray()));

    [Fact]
    public async Task DetectByModelName_UsesTheTrainedDetectorsLabels_UnknownNameIs404()
    {
        var response = await _host.Client.PostAsync("/v1/detect", TestHost.Form(Photo(), fields: [("model", "porch"), ("min_score", "0.005")]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var labels = doc.RootElement.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("label").GetString()).ToList();
        Assert.NotEmpty(labels);
        Assert.All(labels, l => Assert.Contains(l, new[] { "parcel", "cat flap" }));

        var only = await _host.Client.PostAsync("/v1/detect", TestHost.Form(Photo(), fields: [("model", "porch"), ("min_score", "0.005"), ("classes", "parcel")]));
        using var onlyDoc = JsonDocument.Parse(await only.Content.ReadAsStringAsync());
        Assert.All(onlyDoc.RootElement.GetProperty("data").EnumerateArray(), d => Assert.Equal("parcel", d.GetProperty("label").GetString()));

        var old = await _host.Client.PostAsync("/v1/detect", TestHost.Form(Photo(), fields: [("model", "porch-old"), ("min_score", "0.005")]));
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        using var oldDoc = JsonDocument.Parse(await old.Content.ReadAsStringAsync());
        Assert.Equal(labels.Count, oldDoc.RootElement.GetProperty("data").GetArrayLength());

        var missing = await _host.Client.PostAsync("/v1/detect", TestHost.Form(Photo(), fields: ("model", "garage")));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task DeepStackCustomRoute_AnswersBoxesForADetector_AndStillClassifiesWithAClassifier()
    {
        var response = await _host.Client.PostAsync("/v1/vision/custom/porch", TestHost.Form(Photo(), "image", fields: ("min_confidence", "0.005")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(doc.RootElement.GetProperty("success").GetBoolean());
        var predictions = doc.RootElement.GetProperty("predictions").EnumerateArray().ToList();
        Assert.NotEmpty(predictions);
        // Real boxes, not the whole-image box a classifier answers with.
        Assert.Contains(predictions, p => p.GetProperty("x_max").GetInt32() - p.GetProperty("x_min").GetInt32() < 160);

        var colours = await _host.Client.PostAsync("/v1/vision/custom/colours", TestHost.Form(Photo(), "image"));
        Assert.Equal(HttpStatusCode.OK, colours.StatusCode);
        var list = await _host.Client.GetStringAsync("/v1/vision/custom/list");
        Assert.Contains("porch", list);
        Assert.Contains("colours", list);
    }
}

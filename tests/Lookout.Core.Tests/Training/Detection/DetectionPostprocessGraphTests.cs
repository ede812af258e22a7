using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Tests.Inference;
using Lookout.Core.Training.Detection;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lookout.Core.Tests.Training.Detection;

/// <summary>
/// The exported detector decodes and applies NMS inside its ONNX graph. With real weights (the COCO NanoDet's 80-class
/// head, exported the way <c>train --task detect</c> exports a trained one) on real photos, the in-graph boxes, scores
/// and classes must equal the C# decode + NMS of the same weights (the raw-head file, which is also how older run files
/// are still read), one image at a time and in a batch; plain ONNX Runtime runs the file with its default thresholds.
/// </summary>
public sealed class DetectionPostprocessGraphTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-detpost-").FullName;

    private (string Raw, string InGraph) Export()
    {
        var coco = OnnxReader.Load(ModelCatalog.Default().GetPath("nanodet"));
        var raw = Path.Combine(_dir, "raw.onnx");
        var rawModel = NanoDetGraph.WithInputSize(coco, 416);
        DetectorExport.WriteMetadata(rawModel, CocoLabels.All, "nanodet", "test", "test");
        OnnxWriter.Save(rawModel, raw);
        var inGraph = Path.Combine(_dir, "model.onnx");
        OnnxWriter.Save(DetectorExport.Build(coco, CocoLabels.All, "nanodet", "test", "test"), inGraph);
        return (raw, inGraph);
    }

    [Fact]
    public void InGraphDecodeAndNms_EqualTheCSharpDecode_OnRealPhotos_SingleAndBatched()
    {
        var (rawPath, inGraphPath) = Export();
        using var csharp = DetectorService.Open(rawPath);
        using var graph = DetectorService.Open(inGraphPath);
        Assert.True(graph.IsTrained);
        Assert.Equal(416, graph.Spec.Width);
        var options = new DetectorOptions { MinScore = 0.2f };

        var decoded = SamplePhotos.All.Select(p => ImageDecoder.Decode(ImageSource.FromFile(p), ImageTarget.For(graph.Spec))).ToList();
        var inputs = decoded.Select(d => d.Pixels).ToList();
        var sizes = decoded.Select(d => (d.Width, d.Height)).ToList();
        var expected = csharp.Detect(inputs, sizes, options);
        var batched = graph.Detect(inputs, sizes, options);
        int total = 0;
        for (int i = 0; i < inputs.Count; i++)
        {
            var single = graph.Detect([inputs[i]], [sizes[i]], options)[0];
            Same(expected[i], single);
            Same(expected[i], batched[i]);
            total += expected[i].Count;
        }
        Assert.True(total >= 12, $"the photos should give many people and things, got {total}");
        Assert.Contains(expected.SelectMany(d => d), d => d.Label == "person");

        // Class-agnostic NMS and class filters still apply on top of the in-graph result.
        var people = CocoLabels.Resolve(["person"]);
        Same(csharp.Detect(inputs, sizes, options with { Classes = people })[0], graph.Detect(inputs, sizes, options with { Classes = people })[0]);
    }

    [Fact]
    public void PlainOnnxRuntime_RunsTheFile_WithItsDefaultThresholds_AtAnyBatchSize()
    {
        var (_, inGraphPath) = Export();
        using var session = new InferenceSession(inGraphPath);
        Assert.Equal(["boxes", "scores", "classes", "batch_index"], session.OutputMetadata.Keys);
        var spec = DetectorExport.Spec(416);
        var photos = SamplePhotos.All.Take(3).Select(p => ImageDecoder.Decode(ImageSource.FromFile(p), ImageTarget.For(spec)).Pixels).ToList();
        var pixels = photos.SelectMany(p => p.Pixels).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("image", new DenseTensor<byte>(pixels, [3, 416, 416, 3]))]);
        var scores = results.First(r => r.Name == "scores").AsTensor<float>().ToArray();
        var boxes = results.First(r => r.Name == "boxes").AsTensor<float>();
        var batch = results.First(r => r.Name == "batch_index").AsTensor<long>().ToArray();
        Assert.NotEmpty(scores);
        Assert.All(scores, s => Assert.True(s > DetectorExport.DefaultScoreThreshold));
        Assert.Equal([0L, 1L, 2L], batch.Distinct().Order());
        Assert.Equal([scores.Length, 4], boxes.Dimensions.ToArray());
        for (int k = 0; k < scores.Length; k++)
        {
            Assert.True(boxes[k, 0] < boxes[k, 2] && boxes[k, 1] < boxes[k, 3]);
            Assert.InRange(boxes[k, 0], -416f, 416f);
        }
    }

    private static void Same(IReadOnlyList<Lookout.Core.Inference.Detection> expected, IReadOnlyList<Lookout.Core.Inference.Detection> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        var e = expected.OrderBy(d => d.ClassId).ThenByDescending(d => d.Score).ToList();
        var a = actual.OrderBy(d => d.ClassId).ThenByDescending(d => d.Score).ToList();
        for (int i = 0; i < e.Count; i++)
        {
            Assert.Equal(e[i].Label, a[i].Label);
            Assert.Equal(e[i].Score, a[i].Score, 1e-4f);
            Assert.Equal(e[i].Box.X1, a[i].Box.X1, 0.05f);
            Assert.Equal(e[i].Box.Y1, a[i].Box.Y1, 0.05f);
            Assert.Equal(e[i].Box.X2, a[i].Box.X2, 0.05f);
            Assert.Equal(e[i].Box.Y2, a[i].Box.Y2, 0.05f);
        }
    }

    [Fact]
    public void AFileThatSaysStretch_IsStillServedStretched_LikeTheModelItCameFrom()
    {
        // Files exported before letterboxing carry a Stretch spec: the COCO weights (trained on stretched frames) in such
        // a file must find what the catalog NanoDet finds, in the same original-pixel boxes.
        var coco = OnnxReader.Load(ModelCatalog.Default().GetPath("nanodet"));
        var model = DetectorExport.Build(coco, CocoLabels.All, "nanodet", "old", "old");
        Assert.Equal(ResizeMode.Letterbox, PreprocessSpec.FromJson(model.Metadata[Lookout.Core.Models.ModelMetadata.Preprocess]).Resize);
        model.Metadata[Lookout.Core.Models.ModelMetadata.Preprocess] = (DetectorExport.Spec(416) with { Resize = ResizeMode.Stretch }).ToJson();
        var path = Path.Combine(_dir, "old.onnx");
        OnnxWriter.Save(model, path);
        using var old = DetectorService.Open(path);
        using var catalog = DetectorService.Open("nanodet");
        Assert.Equal(ResizeMode.Stretch, old.Spec.Resize);
        var options = new DetectorOptions { MinScore = 0.3f };
        int compared = 0;
        foreach (var photo in SamplePhotos.All)
        {
            var a = old.DetectFile(photo, options);
            var b = catalog.DetectFile(photo, options);
            Assert.Equal((b.Width, b.Height), (a.Width, a.Height));
            foreach (var d in b.Detections.Where(d => d.Score >= 0.35f))
            {
                Assert.Contains(a.Detections, o => o.Label == d.Label && o.Box.IoU(d.Box) >= 0.95f);
                compared++;
            }
        }
        Assert.True(compared > 0);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

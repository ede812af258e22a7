using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Models;
using Lookout.Core.Models.Catalog;

namespace Lookout.Core.Inference.Faces;

/// <summary>A detected face with its FaceRes descriptor (1024 values, compare with <see cref="FaceMatching"/>).</summary>
public sealed record Face(FaceDetection Detection, float[] Descriptor)
{
    public BoxF Box => Detection.Box;
    public float Score => Detection.Score;
}

/// <summary>The faces of one image, boxes in its original (EXIF-oriented) pixels.</summary>
public sealed record FaceImage(int Width, int Height, IReadOnlyList<Face> Faces);

/// <summary>
/// Face options. Defaults: BlazeFace score ≥ 0.5 (MediaPipe's default; human's 0.2 admits blurry non-faces that
/// then "match" someone), NMS IoU 0.3 (MediaPipe's value; human keeps a single face), at most 20 faces.
/// </summary>
public sealed record FaceOptions
{
    public float MinScore { get; init; } = 0.5f;
    public float NmsIoU { get; init; } = 0.3f;
    public int MaxFaces { get; init; } = 20;

    public static FaceOptions Default { get; } = new();
}

/// <summary>
/// BlazeFace detection + FaceRes descriptors (both Apache-2.0). The image is decoded once, EXIF-oriented and bounded
/// to <see cref="WorkingSide"/> px; the whole frame is letterboxed to 256 for BlazeFace (MediaPipe's own choice; human
/// stretches, which squeezes faces in landscape frames so boxes come out ~1.5x too wide and the 1.4x crops hold a
/// face half their width: within-photo different-person similarity rose to 0.46 on the sample photos); each face's square 1.4x crop is
/// cut from the working image (black outside it) and resized to 224, RGB 0..255 as upstream human feeds FaceRes.
/// Thread-safe; both ONNX sessions are loaded once.
/// </summary>
public sealed class FaceAnalyzer : IDisposable
{
    /// <summary>Largest side faces are cropped from: enough for 224-px crops of faces down to ~1/8 of the frame.</summary>
    public const int WorkingSide = 1920;

    private readonly OnnxImageRunner _detector;
    private readonly OnnxImageRunner _descriptor;
    private static readonly string[] DetectorOutputs = ["logits_s16", "logits_s32", "regressors_s16", "regressors_s32"];

    public FaceAnalyzer(string blazefaceOnnx, string faceresOnnx, OnnxRunnerOptions? options = null)
    {
        // The converted BlazeFace graph is batch-1 (constant reshape shapes); FaceRes batches the crops.
        _detector = new OnnxImageRunner(blazefaceOnnx, "logits_s16", KnownModels.Blazeface.Preprocess, (options ?? OnnxRunnerOptions.Default) with { BatchSize = 1 });
        try { _descriptor = new OnnxImageRunner(faceresOnnx, "descriptor", KnownModels.Faceres.Preprocess, options); }
        catch { _detector.Dispose(); throw; }
    }

    public static FaceAnalyzer Open(ModelCatalog? catalog = null, OnnxRunnerOptions? options = null)
    {
        catalog ??= ModelCatalog.Default();
        return new FaceAnalyzer(catalog.GetPath("blazeface"), catalog.GetPath("faceres"), options);
    }

    /// <summary>Faces in a decoded, oriented image (boxes in its pixels), best first.</summary>
    public IReadOnlyList<FaceDetection> DetectFaces(RgbImage image, FaceOptions? options = null)
    {
        options ??= FaceOptions.Default;
        var (input, scale, ox, oy) = PixelOps.Letterbox(image, BlazeFaceDecoder.InputSize);
        var o = _detector.RunOutputs([input], DetectorOutputs)[0];
        return BlazeFaceDecoder.Decode([.. o[0], .. o[1]], [.. o[2], .. o[3]], new InputMapping(1 / scale, 1 / scale, ox, oy),
            options.MinScore, options.NmsIoU, options.MaxFaces);
    }

    /// <summary>Descriptors for face crops of <paramref name="image"/> (one batched FaceRes run).</summary>
    public float[][] Describe(RgbImage image, IReadOnlyList<FaceDetection> faces)
    {
        if (faces.Count == 0) return [];
        int size = KnownModels.Faceres.InputSize;
        var crops = faces.Select(f => PixelOps.CropResize(image, f.CropBox, size, size)).ToList();
        return _descriptor.Run(crops);
    }

    public IReadOnlyList<Face> Analyze(RgbImage image, FaceOptions? options = null)
    {
        var found = DetectFaces(image, options);
        var descriptors = Describe(image, found);
        return found.Select((f, i) => new Face(f, descriptors[i])).ToList();
    }

    /// <summary>
    /// Decodes a file (oriented, bounded to <see cref="WorkingSide"/>) and analyses it; boxes are in the original
    /// (oriented) image's pixels. Decode problems throw <see cref="ImageDecodeException"/>.
    /// </summary>
    public FaceImage AnalyzeFile(string path, FaceOptions? options = null) =>
        ToOriginal(Working(ImageSource.FromFile(path)), options);

    public FaceImage Analyze(byte[] data, FaceOptions? options = null, string sourceName = "upload") =>
        ToOriginal(Working(ImageSource.FromBytes(data, sourceName)), options);

    /// <summary>Face boxes only (no descriptors: for a face-detection route), in the original image's pixels.</summary>
    public (int Width, int Height, IReadOnlyList<FaceDetection> Faces) DetectFaces(byte[] data, FaceOptions? options = null, string sourceName = "upload")
    {
        var decoded = Working(ImageSource.FromBytes(data, sourceName));
        float sx = (float)decoded.Width / decoded.Pixels.Width, sy = (float)decoded.Height / decoded.Pixels.Height;
        return (decoded.Width, decoded.Height, DetectFaces(decoded.Pixels, options).Select(f => f.Scaled(sx, sy)).ToList());
    }

    /// <summary>The oriented image bounded to <see cref="WorkingSide"/> (never upscaled), with the original's displayed size.</summary>
    private static DecodedImage Working(ImageSource source) => ImageDecoder.Decode(source, ImageTarget.Within(WorkingSide));

    private FaceImage ToOriginal(DecodedImage decoded, FaceOptions? options)
    {
        var working = decoded.Pixels;
        var faces = Analyze(working, options);
        float sx = (float)decoded.Width / working.Width, sy = (float)decoded.Height / working.Height;
        return new FaceImage(decoded.Width, decoded.Height,
            faces.Select(f => f with { Detection = f.Detection.Scaled(sx, sy) }).ToList());
    }

    public void Dispose()
    {
        _detector.Dispose();
        _descriptor.Dispose();
    }
}

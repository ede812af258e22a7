using System.Diagnostics;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Inference.Faces;
using Lookout.Server.Api;
using Lookout.Server.Metrics;
using Microsoft.AspNetCore.Http;

namespace Lookout.Server.Vision;

/// <summary>Detections in original-image pixels, with the optional annotated JPEG and the timings.</summary>
public sealed record DetectOutcome(int Width, int Height, IReadOnlyList<Detection> Detections, byte[]? Annotated,
    TimeSpan DecodeTime, TimeSpan InferenceTime);

/// <summary>Face boxes (no identities) in original-image pixels.</summary>
public sealed record FaceBoxes(int Width, int Height, IReadOnlyList<FaceDetection> Faces, TimeSpan InferenceTime);

/// <summary>What a face registration did: per-image outcomes, and whether the name was enrolled before.</summary>
public sealed record Enrollment(bool Updated, IReadOnlyList<EnrollOutcome> Outcomes);

/// <summary>Recognised faces and the threshold actually applied.</summary>
public sealed record Recognition(RecognizeResult Result, float Threshold, TimeSpan InferenceTime);

/// <summary>
/// The server's detector and face paths: every call checks the image (format sniffed, size and pixel limits from the
/// header) and then runs inside its model's <see cref="InferenceGate"/>, so CPU work is bounded and overload is a 503.
/// Decode problems surface as <see cref="ImageDecodeException"/> (415/413/400 by the error filter).
/// </summary>
public sealed class VisionService : IDisposable
{
    private readonly VisionModels _models;
    private readonly ServerOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly InferenceGate _detectorGate;
    private readonly InferenceGate _facesGate;

    public VisionService(VisionModels models, ServerOptions options, ServerMetrics metrics)
    {
        _models = models;
        _options = options;
        _metrics = metrics;
        _detectorGate = Gate(models.DetectorName);
        _facesGate = Gate(VisionModels.FacesName);
    }

    private InferenceGate Gate(string name) =>
        new(name, _options.VisionConcurrency, _options.QueueCapacity, _options.RetryAfterSeconds, _options.RequestTimeout, _metrics);

    /// <summary>The detector a request names (see <see cref="VisionModels.DetectorFor"/>); 404 when there is none.</summary>
    public DetectorService DetectorFor(string? model) => _models.DetectorFor(model)
        ?? throw new ApiException(StatusCodes.Status404NotFound, $"no detector named '{model}'");

    /// <summary>True when <paramref name="model"/> names a detector (catalog or trained) rather than a classifier.</summary>
    public bool IsDetector(string model) => _models.DetectorFor(model) is not null;

    public Task<DetectOutcome> DetectAsync(byte[] image, DetectorOptions detectorOptions, bool annotate, CancellationToken ct, string? model = null) =>
        _detectorGate.RunAsync(() =>
        {
            var detector = DetectorFor(model);
            var clock = Stopwatch.StartNew();
            var decoded = ImageDecoder.Decode(ImageSource.FromBytes(image), ImageTarget.For(detector.Spec), _options.ImageLimits);
            var (width, height) = (decoded.Width, decoded.Height);
            var decode = clock.Elapsed;
            var found = detector.Detect([decoded.Pixels], [(width, height)], detectorOptions)[0];
            var infer = clock.Elapsed - decode;
            _metrics.ObserveVision(_models.DetectorName, clock.Elapsed);
            var annotated = annotate
                ? Annotator.Render(image, found.Select(d => new Annotation(d.Box, $"{d.Label} {d.Score:0.00}", d.ClassId)), ".jpg")
                : null;
            return new DetectOutcome(width, height, found, annotated, decode, infer);
        }, ct);

    public Task<FaceBoxes> DetectFacesAsync(byte[] image, FaceOptions faceOptions, CancellationToken ct)
    {
        CheckImage(image);
        return _facesGate.RunAsync(() =>
        {
            var analyzer = _models.Faces;
            var clock = Stopwatch.StartNew();
            var (width, height, faces) = analyzer.DetectFaces(image, faceOptions);
            _metrics.ObserveVision(VisionModels.FacesName, clock.Elapsed);
            return new FaceBoxes(width, height, faces, clock.Elapsed);
        }, ct);
    }

    /// <summary>
    /// Recognises faces against the workspace gallery. <paramref name="minConfidence"/> can only make matching stricter:
    /// the threshold is max(calibrated, requested), so a client sending 0.01 never turns strangers into family
    /// (the HASS-Deepstack-face #50 complaint).
    /// </summary>
    public Task<Recognition> RecognizeAsync(byte[] image, float? minConfidence, CancellationToken ct)
    {
        CheckImage(image);
        return _facesGate.RunAsync(() =>
        {
            var service = _models.FaceService;
            float threshold = Math.Max(service.Threshold, minConfidence ?? 0f);
            var clock = Stopwatch.StartNew();
            var result = service.Recognize(image, threshold);
            _metrics.ObserveVision(VisionModels.FacesName, clock.Elapsed);
            if (!result.Ok) throw new ApiException(StatusCodes.Status400BadRequest, $"the image could not be decoded: {result.Error}");
            return new Recognition(result, threshold, clock.Elapsed);
        }, ct);
    }

    /// <summary>
    /// Enrolls the largest face of each image under <paramref name="name"/>; fails when no image had a face.
    /// <see cref="Enrollment.Updated"/> says the name was already enrolled (DeepStack answers "face updated" then);
    /// the new faces are added to the ones it had, so more photos make recognition of that person better.
    /// </summary>
    public Task<Enrollment> EnrollAsync(string? name, IReadOnlyList<byte[]> images, CancellationToken ct)
    {
        var validName = ValidName(name);
        foreach (var image in images) CheckImage(image);
        return _facesGate.RunAsync(() =>
        {
            bool existed = EnrolledNames().Contains(validName, StringComparer.Ordinal);
            var outcomes = _models.FaceService.Enroll(validName, images.Select((data, i) => ($"image{i + 1}", data)).ToList());
            if (outcomes.All(o => !o.Ok))
                throw new ApiException(StatusCodes.Status400BadRequest, outcomes.All(o => o.Error == "no face found")
                    ? "no face found" : "the image could not be decoded");
            return new Enrollment(existed, outcomes);
        }, ct);
    }

    /// <summary>Enrolled names; the face models are not needed (nor loaded) to read the gallery.</summary>
    public IReadOnlyList<string> EnrolledNames()
    {
        using var gallery = FaceGallery.Open(_options.CatalogPath);
        return gallery.Names().Select(n => n.Name).ToList();
    }

    /// <summary>Removes every descriptor of <paramref name="name"/>; returns how many there were.</summary>
    public int Remove(string? name)
    {
        var validName = ValidName(name);
        using var gallery = FaceGallery.Open(_options.CatalogPath);
        return gallery.Remove(validName);
    }

    private static string ValidName(string? name)
    {
        try { return FaceGallery.ValidateName(name); }
        catch (ArgumentException e) { throw new ApiException(StatusCodes.Status400BadRequest, e.Message); }
    }

    /// <summary>
    /// Header-only checks before queueing (the decoder's own first step): the face analyzer decodes without the
    /// server's limits, so format, bytes and pixel count (decompression bombs) are enforced here.
    /// </summary>
    private void CheckImage(byte[] data) => ImageHeader.Read(ImageSource.FromBytes(data), _options.ImageLimits);

    public void Dispose()
    {
        _detectorGate.Dispose();
        _facesGate.Dispose();
    }
}

using System.Diagnostics;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Server.Inference;
using Lookout.Server.Models;
using Lookout.Server.Vision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Api;

/// <summary>
/// DeepStack / CodeProject.AI compatible routes, so Blue Iris, Home Assistant and Node-RED clients work unchanged.
/// A classifier has no boxes: each class at or above <c>min_confidence</c> is reported with the whole-image box.
/// <c>/detection</c> runs the COCO detector; the face routes are in <see cref="DeepStackFaceApi"/>.
/// </summary>
public static class DeepStackApi
{
    /// <summary>CodeProject.AI's default; the deepstack-python client sends 0.45 explicitly.</summary>
    public const float DefaultMinConfidence = 0.4f;

    public static IEndpointRouteBuilder MapDeepStackApi(this IEndpointRouteBuilder app, ILogger log)
    {
        var group = app.MapGroup("/v1/vision").WithErrors(ErrorStyle.DeepStack, log).DisableAntiforgery();
        // CodeProject.AI's route is a POST; some of its clients (and compatible servers) use GET: both answer.
        group.MapPost("/custom/list", ModelNames);
        group.MapGet("/custom/list", ModelNames);
        group.MapPost("/listmodels", (ModelRegistry registry) => Results.Json(new DeepStackModelInfos(true, ModelInfos(registry), 0)));
        group.MapPost("/custom/{model}", CustomAsync);
        group.MapPost("/scene", SceneAsync);
        group.MapPost("/detection", DetectionAsync);
        group.MapDeepStackFaceApi();
        return app;
    }

    private static async Task<IResult> CustomAsync(string model, HttpContext http, ClassificationService classifier, VisionService vision, ServerOptions options)
    {
        var clock = Stopwatch.StartNew();
        var request = await ImageRequest.ReadAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        float min = ParseConfidence(request.Field("min_confidence"));
        // CodeProject.AI's custom models are detectors: a detector trained on the user's boxes answers with its boxes.
        if (vision.IsDetector(model)) return await DetectWith(model, request.Bytes, min, vision, clock, http.RequestAborted);
        var c = await classifier.ClassifyAsync(model, request.Bytes, http.RequestAborted);
        var (width, height) = ImageHeader.DisplaySize(request.Bytes); // boxes are in the original image's pixels
        var predictions = c.Ranked.Where(r => r.Score >= min)
            .Select(r => new DeepStackPrediction(r.Label, r.Score, 0, 0, width, height))
            .ToList();
        return Results.Json(new DeepStackPredictions(true, predictions, Ms(c.InferenceTime), Ms(clock.Elapsed), Duration(clock)));
    }

    /// <summary>
    /// DeepStack's and CodeProject.AI's scene routes read only the image: a <c>min_confidence</c> sent along (the
    /// deepstack-python client always sends one) is ignored, as there, and the top-1 class is answered.
    /// </summary>
    private static async Task<IResult> SceneAsync(HttpContext http, ClassificationService classifier, ServerOptions options)
    {
        var clock = Stopwatch.StartNew();
        var request = await ImageRequest.ReadAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        var c = await classifier.ClassifyAsync(request.Field("model"), request.Bytes, http.RequestAborted);
        var best = c.Ranked[0];
        return Results.Json(new DeepStackScene(true, best.Label, best.Score, Ms(c.InferenceTime), Ms(clock.Elapsed), Duration(clock)));
    }

    private static async Task<IResult> DetectionAsync(HttpContext http, VisionService vision, ServerOptions options)
    {
        var clock = Stopwatch.StartNew();
        var request = await ImageRequest.ReadAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        return await DetectWith(request.Field("model"), request.Bytes, ParseConfidence(request.Field("min_confidence")), vision, clock, http.RequestAborted);
    }

    private static async Task<IResult> DetectWith(string? model, byte[] image, float min, VisionService vision, Stopwatch clock, CancellationToken ct)
    {
        var detectorOptions = new DetectorOptions { MinScore = min };
        var outcome = await vision.DetectAsync(image, detectorOptions, annotate: false, ct, model);
        var predictions = outcome.Detections.Select(d => new DeepStackPrediction(d.Label, d.Score,
            Px(d.Box.X1), Px(d.Box.Y1), Px(d.Box.X2), Px(d.Box.Y2))).ToList();
        return Results.Json(new DeepStackPredictions(true, predictions, Ms(outcome.InferenceTime), Ms(clock.Elapsed), Duration(clock)));
    }

    private static IResult ModelNames(ModelRegistry registry, VisionModels vision) =>
        Results.Json(new DeepStackModelList(true, registry.List().Select(h => h.Name).Concat(vision.TrainedDetectorNames()).Distinct().Order(StringComparer.Ordinal).ToList(), 0));

    /// <summary>DeepStack's <c>listmodels</c>: name, file time and size (MB) of every served model.</summary>
    private static List<DeepStackModelInfo> ModelInfos(ModelRegistry registry) =>
        registry.List().Select(h =>
        {
            var file = registry.PathOf(h.Name) is { } path ? new FileInfo(path) : null;
            return file is { Exists: true }
                ? new DeepStackModelInfo(h.Name, file.LastWriteTimeUtc, file.Length / 1_000_000f)
                : new DeepStackModelInfo(h.Name, h.LoadedAt, 0f);
        }).ToList();

    internal static float ParseConfidence(string? value) =>
        FieldParsing.Probability(value, "min_confidence") ?? DefaultMinConfidence;

    /// <summary>Boxes are whole pixels for DeepStack clients (Blue Iris draws them as integers).</summary>
    internal static int Px(float v) => (int)MathF.Round(v);

    internal static long Ms(TimeSpan t) => (long)Math.Round(t.TotalMilliseconds);

    /// <summary>DeepStack's <c>duration</c>: the request's processing time, in milliseconds.</summary>
    internal static double Duration(Stopwatch clock) => Math.Round(clock.Elapsed.TotalMilliseconds, 1);
}

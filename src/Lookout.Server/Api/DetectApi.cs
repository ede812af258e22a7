using Lookout.Core.Inference.Detectors;
using Lookout.Server.Vision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Api;

/// <summary>
/// <c>POST /v1/detect</c>: objects in the /v1 envelope, boxes in original-image pixels. Fields: <c>model</c> (default
/// the server's COCO detector; or a detector trained with <c>train --task detect</c> in the models folder, by name),
/// <c>classes</c> (comma-separated names of that detector's classes), <c>min_score</c> (default 0.4), <c>annotate=true</c> for the image with boxes drawn
/// (image/jpeg) instead of JSON.
/// </summary>
public static class DetectApi
{
    public static IEndpointRouteBuilder MapDetectApi(this IEndpointRouteBuilder app, ILogger log)
    {
        app.MapPost("/v1/detect", DetectAsync).WithErrors(ErrorStyle.Envelope, log).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> DetectAsync(HttpContext http, VisionService vision, ServerOptions options)
    {
        var request = await ImageRequest.ReadAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        var model = request.Field("model");
        var detector = vision.DetectorFor(model);
        var detectorOptions = new DetectorOptions
        {
            MinScore = FieldParsing.Probability(request.Field("min_score"), "min_score") ?? DetectorOptions.DefaultMinScore,
            Classes = ParseClasses(detector, request.Field("classes")),
        };
        bool annotate = FieldParsing.Flag(request.Field("annotate"), "annotate");
        var outcome = await vision.DetectAsync(request.Bytes, detectorOptions, annotate, http.RequestAborted, model);
        ServerTiming.Write(http, outcome.DecodeTime, outcome.InferenceTime);
        if (outcome.Annotated is { } jpeg) return Results.File(jpeg, "image/jpeg");
        return ApiResults.Success(outcome.Detections.Select(d => new DetectedObject(d.Label, d.Score, BoxJson.Of(d.Box))).ToList());
    }

    private static IReadOnlySet<int>? ParseClasses(DetectorService detector, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        try { return detector.ResolveClasses(value.Split(',')); }
        catch (ArgumentException e) { throw new ApiException(StatusCodes.Status400BadRequest, e.Message); }
    }
}

using System.Diagnostics;
using Lookout.Core.Inference.Faces;
using Lookout.Server.Vision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lookout.Server.Api;

/// <summary>
/// DeepStack's face routes (<c>/v1/vision/face...</c>) over the workspace's face gallery, the same one
/// <c>lookout faces enroll</c> writes. Recognition answers "unknown" below the calibrated threshold, and a client's
/// <c>min_confidence</c> can only raise that threshold.
/// </summary>
public static class DeepStackFaceApi
{
    /// <summary>Maps onto the <c>/v1/vision</c> group (its DeepStack error style and antiforgery setting apply).</summary>
    public static RouteGroupBuilder MapDeepStackFaceApi(this RouteGroupBuilder vision)
    {
        vision.MapPost("/face", DetectAsync);
        vision.MapPost("/face/register", RegisterAsync);
        vision.MapPost("/face/recognize", RecognizeAsync);
        vision.MapPost("/face/list", (VisionService faces) =>
        {
            var clock = Stopwatch.StartNew();
            var names = faces.EnrolledNames();
            return Results.Json(new DeepStackFaceList(true, names, DeepStackApi.Duration(clock)));
        });
        vision.MapPost("/face/delete", DeleteAsync);
        return vision;
    }

    private static async Task<IResult> DetectAsync(HttpContext http, VisionService vision, ServerOptions options)
    {
        var clock = Stopwatch.StartNew();
        var request = await ImageRequest.ReadAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        // Without min_confidence, the face detector's own default (0.5) applies rather than the object routes' 0.4.
        var faceOptions = FieldParsing.Probability(request.Field("min_confidence"), "min_confidence") is { } min
            ? FaceOptions.Default with { MinScore = min }
            : FaceOptions.Default;
        var found = await vision.DetectFacesAsync(request.Bytes, faceOptions, http.RequestAborted);
        var predictions = found.Faces.Select(f => new DeepStackPrediction("face", f.Score,
            DeepStackApi.Px(f.Box.X1), DeepStackApi.Px(f.Box.Y1), DeepStackApi.Px(f.Box.X2), DeepStackApi.Px(f.Box.Y2))).ToList();
        return Results.Json(new DeepStackPredictions(true, predictions, DeepStackApi.Ms(found.InferenceTime), DeepStackApi.Ms(clock.Elapsed), DeepStackApi.Duration(clock)));
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, VisionService vision, ServerOptions options)
    {
        var clock = Stopwatch.StartNew();
        var request = await ImageRequest.ReadImagesAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        var enrollment = await vision.EnrollAsync(request.Field("userid"), request.Images, http.RequestAborted);
        return Results.Json(new DeepStackMessage(true, enrollment.Updated ? "face updated" : "face added", DeepStackApi.Duration(clock)));
    }

    private static async Task<IResult> RecognizeAsync(HttpContext http, VisionService vision, ServerOptions options)
    {
        var clock = Stopwatch.StartNew();
        var request = await ImageRequest.ReadAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        var min = FieldParsing.Probability(request.Field("min_confidence"), "min_confidence");
        var recognition = await vision.RecognizeAsync(request.Bytes, min, http.RequestAborted);
        var predictions = recognition.Result.Faces.Select(f => new DeepStackFacePrediction(
            f.Match.Name, f.Match.IsKnown ? f.Match.Similarity : 0f,
            DeepStackApi.Px(f.Detection.Box.X1), DeepStackApi.Px(f.Detection.Box.Y1),
            DeepStackApi.Px(f.Detection.Box.X2), DeepStackApi.Px(f.Detection.Box.Y2))).ToList();
        return Results.Json(new DeepStackFacePredictions(true, predictions, DeepStackApi.Ms(recognition.InferenceTime), DeepStackApi.Ms(clock.Elapsed), DeepStackApi.Duration(clock)));
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, VisionService vision, ServerOptions options)
    {
        var clock = Stopwatch.StartNew();
        var request = await ImageRequest.ReadFieldsAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        vision.Remove(request.Field("userid"));
        return Results.Json(new DeepStackSuccess(true, DeepStackApi.Duration(clock)));
    }
}

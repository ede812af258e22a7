using System.Globalization;
using Lookout.Core.Imaging;
using Lookout.Server.Inference;
using Lookout.Server.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Api;

/// <summary>
/// DeepStack / CodeProject.AI compatible routes, so Blue Iris, Home Assistant and Node-RED clients work unchanged.
/// A classifier has no boxes: each class at or above <c>min_confidence</c> is reported with the whole-image box.
/// Detection and face routes join this group when the detector lands.
/// </summary>
public static class DeepStackApi
{
    /// <summary>CodeProject.AI's default; the deepstack-python client sends 0.45 explicitly.</summary>
    public const float DefaultMinConfidence = 0.4f;

    public static IEndpointRouteBuilder MapDeepStackApi(this IEndpointRouteBuilder app, ILogger log)
    {
        var group = app.MapGroup("/v1/vision").WithErrors(ErrorStyle.DeepStack, log).DisableAntiforgery();
        group.MapPost("/custom/list", (ModelRegistry registry) =>
            Results.Json(new DeepStackModelList(true, registry.List().Select(h => h.Name).ToList())));
        group.MapPost("/custom/{model}", CustomAsync);
        group.MapPost("/scene", SceneAsync);
        return app;
    }

    private static async Task<IResult> CustomAsync(string model, HttpContext http, ClassificationService classifier, ServerOptions options)
    {
        var started = DateTime.UtcNow;
        var request = await ImageRequest.ReadAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        float min = ParseConfidence(request.Field("min_confidence"));
        var c = await classifier.ClassifyAsync(model, request.Bytes, http.RequestAborted);
        var (width, height) = ImageHeader.DisplaySize(request.Bytes); // boxes are in the original image's pixels
        var predictions = c.Ranked.Where(r => r.Score >= min)
            .Select(r => new DeepStackPrediction(r.Label, r.Score, 0, 0, width, height))
            .ToList();
        return Results.Json(new DeepStackPredictions(true, predictions, Ms(c.InferenceTime), Ms(DateTime.UtcNow - started)));
    }

    private static async Task<IResult> SceneAsync(HttpContext http, ClassificationService classifier, ServerOptions options)
    {
        var started = DateTime.UtcNow;
        var request = await ImageRequest.ReadAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        var c = await classifier.ClassifyAsync(request.Field("model"), request.Bytes, http.RequestAborted);
        var best = c.Ranked[0];
        return Results.Json(new DeepStackScene(true, best.Label, best.Score, Ms(c.InferenceTime), Ms(DateTime.UtcNow - started)));
    }

    private static float ParseConfidence(string? value)
    {
        if (value is null) return DefaultMinConfidence;
        if (!float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v is < 0f or > 1f || float.IsNaN(v))
            throw new ApiException(StatusCodes.Status400BadRequest, "min_confidence must be a number between 0 and 1");
        return v;
    }

    private static long Ms(TimeSpan t) => (long)Math.Round(t.TotalMilliseconds);
}

using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Lookout.Server.Api;

// (contract) Lookout's /v1 envelope: {"meta":{"type":"success","code":200},"data":...}; errors keep it.
public sealed record Meta(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null);

public sealed record Envelope<T>(
    [property: JsonPropertyName("meta")] Meta Meta,
    [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] T? Data);

public sealed record ClassScore(
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("score")] float Score);

/// <summary>A box in original-image pixels (x1,y1 top-left; x2,y2 bottom-right), to 0.1 px.</summary>
public sealed record BoxJson(
    [property: JsonPropertyName("x1")] float X1,
    [property: JsonPropertyName("y1")] float Y1,
    [property: JsonPropertyName("x2")] float X2,
    [property: JsonPropertyName("y2")] float Y2)
{
    public static BoxJson Of(Lookout.Core.Imaging.BoxF b) => new(R(b.X1), R(b.Y1), R(b.X2), R(b.Y2));
    private static float R(float v) => MathF.Round(v, 1);
}

public sealed record DetectedObject(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("score")] float Score,
    [property: JsonPropertyName("box")] BoxJson Box);

/// <summary>Which error body a route family speaks.</summary>
public enum ErrorStyle { Envelope, DeepStack }

public static class ApiResults
{
    public static IResult Success<T>(T data) =>
        Results.Json(new Envelope<T>(new Meta("success", StatusCodes.Status200OK), data));

    public static IResult Error(ApiError error, ErrorStyle style) => new ErrorResult(error, style);

    /// <summary>Writes the error body in the route family's style, with the same HTTP status and Retry-After.</summary>
    private sealed class ErrorResult(ApiError error, ErrorStyle style) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = error.Status;
            if (error.RetryAfterSeconds is { } s) context.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (error.Status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
            return style == ErrorStyle.DeepStack
                ? context.Response.WriteAsJsonAsync(new DeepStackError(false, DeepStackMessage(error)))
                : context.Response.WriteAsJsonAsync(new Envelope<object>(new Meta("error", error.Status, error.Message), null));
        }
    }

    /// <summary>DeepStack clients match on this exact text for a missing or unusable image.</summary>
    private static string DeepStackMessage(ApiError error) =>
        error.Status is StatusCodes.Status400BadRequest or StatusCodes.Status415UnsupportedMediaType && error.Message.Contains("image", StringComparison.OrdinalIgnoreCase)
            ? "No valid image file found"
            : error.Message;
}

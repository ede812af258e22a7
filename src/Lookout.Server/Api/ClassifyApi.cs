using System.Globalization;
using Lookout.Server.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Api;

/// <summary><c>POST /v1/classify</c>: image in, top-k classes out, in the /v1 envelope.</summary>
public static class ClassifyApi
{
    public static IEndpointRouteBuilder MapClassifyApi(this IEndpointRouteBuilder app, ILogger log)
    {
        app.MapPost("/v1/classify", ClassifyAsync).WithErrors(ErrorStyle.Envelope, log).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> ClassifyAsync(HttpContext http, ClassificationService classifier, ServerOptions options)
    {
        var ct = http.RequestAborted;
        var request = await ImageRequest.ReadAsync(http.Request, options.MaxUploadBytes, ct);
        int top = ParseTop(request.Field("top"), options.DefaultTop);
        var minSharpness = FieldParsing.OptionalDouble(request.Field("min_sharpness"), "min_sharpness");
        var result = await classifier.ClassifyAsync(request.Field("model"), request.Bytes, ct);
        ServerTiming.Write(http, result);
        var data = result.Ranked.Take(top).Select(r => new ClassScore(r.Label, r.Score)).ToList();
        // Asked to: a picture too blurry to judge answers that first (the classes follow, as with "unknown").
        if (minSharpness is { } min && Lookout.Core.Studio.Media.BlurCheck.SharpnessOf(request.Bytes, options.ImageLimits) < min)
            data.Insert(0, new ClassScore(Lookout.Core.Studio.Media.BlurCheck.Label, 0));
        return ApiResults.Success(data);
    }

    private static int ParseTop(string? value, int fallback)
    {
        if (value is null) return fallback;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var top) || top < 1)
            throw new ApiException(StatusCodes.Status400BadRequest, "'top' must be a positive integer");
        return top;
    }
}

/// <summary>Decode and inference times in the standard Server-Timing header (the web page shows them).</summary>
internal static class ServerTiming
{
    public static void Write(HttpContext http, Classification c) => Write(http, c.DecodeTime, c.InferenceTime);

    public static void Write(HttpContext http, TimeSpan decode, TimeSpan infer) =>
        http.Response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture,
            $"decode;dur={decode.TotalMilliseconds:0.##}, infer;dur={infer.TotalMilliseconds:0.##}");
}

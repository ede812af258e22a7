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
        var result = await classifier.ClassifyAsync(request.Field("model"), request.Bytes, ct);
        ServerTiming.Write(http, result);
        return ApiResults.Success(result.Ranked.Take(top).Select(r => new ClassScore(r.Label, r.Score)).ToList());
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
    public static void Write(HttpContext http, Classification c) =>
        http.Response.Headers["Server-Timing"] = string.Create(CultureInfo.InvariantCulture,
            $"decode;dur={c.DecodeTime.TotalMilliseconds:0.##}, infer;dur={c.InferenceTime.TotalMilliseconds:0.##}");
}

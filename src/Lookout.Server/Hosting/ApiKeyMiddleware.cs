using System.Security.Cryptography;
using System.Text;
using Lookout.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Lookout.Server.Hosting;

/// <summary>
/// When an API key is configured, /v1 and /metrics need it in <c>X-Api-Key</c> or <c>Authorization: Bearer</c>.
/// The DeepStack routes (/v1/vision) also take it as the form field <c>api_key</c>, where DeepStack reads it and its
/// clients (deepstack-python, node-red-contrib-deepstack) send it. The key is compared in constant time and never
/// logged or echoed. The page, /healthz and /openapi.json stay open so a browser can load the UI and ask for the key.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, byte[] expectedKey, Studio.StudioSessions? sessions = null)
{
    /// <summary>DeepStack's form field name for the key.</summary>
    public const string FormField = "api_key";

    public async Task InvokeAsync(HttpContext context, ServerOptions options)
    {
        var path = context.Request.Path;
        // /v1/session is where the studio page trades the key for a session cookie.
        bool guarded = (path.StartsWithSegments("/v1") && !path.Equals("/v1/session")) || path.StartsWithSegments("/metrics");
        bool session = sessions is not null && path.StartsWithSegments("/v1") && sessions.IsValid(context.Request);
        if (!guarded || HttpMethods.IsOptions(context.Request.Method) || session)
        {
            await next(context);
            return;
        }
        var style = path.StartsWithSegments("/v1/vision") ? ErrorStyle.DeepStack : ErrorStyle.Envelope;
        string? presented;
        try
        {
            presented = FromHeaders(context.Request) ?? await FromDeepStackFormAsync(context.Request, options, context.RequestAborted);
        }
        catch (ApiException e)
        {
            // The form could not be read, so no key could be found in it: say why (a 4xx), as the handler would.
            await ApiResults.Error(ApiError.From(e), style).ExecuteAsync(context);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client left
        }
        if (Matches(presented)) await next(context);
        else await ApiResults.Error(new ApiError(StatusCodes.Status401Unauthorized, ApiError.MessageFor(401)), style).ExecuteAsync(context);
    }

    private static string? FromHeaders(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var key) && key.Count > 0) return key.ToString();
        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth["Bearer ".Length..].Trim() : null;
    }

    /// <summary>
    /// Reads the form once (the handler reuses it) when a DeepStack route is posted a form without a key header.
    /// The whole form is read because clients put the key before the image (requests) or after it (Node-RED).
    /// </summary>
    private static async Task<string?> FromDeepStackFormAsync(HttpRequest request, ServerOptions options, CancellationToken ct)
    {
        if (!request.Path.StartsWithSegments("/v1/vision") || !HttpMethods.IsPost(request.Method) || !UploadForm.IsForm(request)) return null;
        var form = await UploadForm.ReadAsync(request, FormLimits.For(options.MaxUploadBytes), ct);
        return form.Field(FormField);
    }

    /// <summary>Constant-time comparison of digests, so response timing does not leak how much of a guess was right.</summary>
    private bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expectedKey);

    /// <summary>Constant-time check of a key against the digest (the studio's login uses it too).</summary>
    public static bool Matches(byte[] expected, string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected);

    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

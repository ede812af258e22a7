using System.Security.Cryptography;
using System.Text;
using Lookout.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Lookout.Server.Hosting;

/// <summary>
/// When an API key is configured, /v1 and /metrics need it in <c>X-Api-Key</c> or <c>Authorization: Bearer</c>.
/// The page, /healthz and /openapi.json stay open so a browser can load the UI and ask the user for the key.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, byte[] expectedKey, Studio.StudioSessions? sessions = null)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        // /v1/session is where the studio page trades the key for a session cookie.
        bool guarded = (path.StartsWithSegments("/v1") && !path.Equals("/v1/session")) || path.StartsWithSegments("/metrics");
        if (!guarded || HttpMethods.IsOptions(context.Request.Method) || Matches(Presented(context.Request))) return next(context);
        if (sessions is not null && path.StartsWithSegments("/v1") && sessions.IsValid(context.Request)) return next(context);
        var style = path.StartsWithSegments("/v1/vision") ? ErrorStyle.DeepStack : ErrorStyle.Envelope;
        return ApiResults.Error(new ApiError(StatusCodes.Status401Unauthorized, ApiError.MessageFor(401)), style).ExecuteAsync(context);
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var key) && key.Count > 0) return key.ToString();
        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth["Bearer ".Length..].Trim() : null;
    }

    /// <summary>Constant-time comparison, so response timing does not leak how much of a guess was right.</summary>
    private bool Matches(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expectedKey);

    /// <summary>Constant-time check of a key against the digest (the studio's login uses it too).</summary>
    public static bool Matches(byte[] expected, string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected);

    public static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

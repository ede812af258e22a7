using Lookout.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Lookout.Server.Hosting;

/// <summary>
/// Refuses cross-site requests from browsers to the API's state-changing (non-GET) routes, so a foreign web page
/// cannot enrol or delete faces, reload models or spend the CPU with a plain HTML form post. Browsers say where a
/// request comes from (<c>Sec-Fetch-Site</c>, <c>Origin</c>) and page script cannot forge either; non-browser clients
/// (curl, Home Assistant, Node-RED, Blue Iris) send neither and are not affected. Origins the operator allowed for
/// CORS (<c>--cors</c>) are allowed here too: that option is the one list of sites whose pages may call the API.
/// </summary>
internal sealed class CrossSiteGuard(RequestDelegate next, IReadOnlySet<string> allowedOrigins)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        bool guarded = request.Path.StartsWithSegments("/v1") && !IsSafeMethod(request.Method);
        if (!guarded || IsAllowed(request.Headers["Sec-Fetch-Site"], request.Headers.Origin, OwnOrigins(request), allowedOrigins))
            return next(context);
        var style = request.Path.StartsWithSegments("/v1/vision") ? ErrorStyle.DeepStack : ErrorStyle.Envelope;
        return ApiResults.Error(new ApiError(StatusCodes.Status403Forbidden,
            "cross-site request refused: this API does not accept requests from other web sites' pages (an operator can allow an origin with --cors)"), style)
            .ExecuteAsync(context);
    }

    private static bool IsSafeMethod(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>
    /// The decision, from headers alone. <paramref name="secFetchSite"/> wins when present (the browser computed it
    /// from the page's URL, so it holds behind a proxy that rewrites Host); otherwise <paramref name="origin"/> must be
    /// this server's own origin; a request with neither header is not from a browser page.
    /// </summary>
    internal static bool IsAllowed(string? secFetchSite, string? origin, IReadOnlyCollection<string> ownOrigins, IReadOnlySet<string> allowedOrigins)
    {
        if (!string.IsNullOrEmpty(origin) && allowedOrigins.Contains(Normalize(origin))) return true;
        if (!string.IsNullOrEmpty(secFetchSite))
            return secFetchSite.Equals("same-origin", StringComparison.OrdinalIgnoreCase)
                || secFetchSite.Equals("none", StringComparison.OrdinalIgnoreCase); // typed or bookmarked by the user
        if (string.IsNullOrEmpty(origin)) return true;
        var normalized = Normalize(origin);
        return ownOrigins.Any(o => string.Equals(o, normalized, StringComparison.Ordinal)); // "null" (sandboxed page, file://) never matches
    }

    /// <summary>
    /// This server's origin as the client addressed it. X-Forwarded-Host/Proto (set by a reverse proxy) also count:
    /// a browser page cannot add those headers to a cross-site request without a CORS preflight, which is refused.
    /// </summary>
    private static List<string> OwnOrigins(HttpRequest request)
    {
        var origins = new List<string> { Normalize($"{request.Scheme}://{request.Host.Value}") };
        var forwardedHost = request.Headers["X-Forwarded-Host"].ToString().Split(',')[0].Trim();
        if (forwardedHost.Length > 0)
        {
            var proto = request.Headers["X-Forwarded-Proto"].ToString().Split(',')[0].Trim();
            origins.Add(Normalize($"{(proto.Length > 0 ? proto : request.Scheme)}://{forwardedHost}"));
        }
        return origins;
    }

    /// <summary>Lower-case scheme and host, default ports dropped, no trailing slash: how browsers serialise an origin.</summary>
    internal static string Normalize(string origin)
    {
        if (!Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return origin.Trim();
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        return uri.IsDefaultPort ? $"{uri.Scheme}://{host}" : $"{uri.Scheme}://{host}:{uri.Port}";
    }
}

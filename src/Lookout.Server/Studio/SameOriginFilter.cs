using Lookout.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Lookout.Server.Studio;

/// <summary>
/// Refuses state-changing studio requests that a foreign page could make a browser send: a cross-site
/// <c>Sec-Fetch-Site</c>, or an <c>Origin</c> other than this server. Non-browser clients (curl, scripts) send neither
/// and are governed by the API key. JSON bodies and the octet-stream upload also force a CORS preflight, which the
/// server does not grant unless configured.
/// </summary>
internal sealed class SameOriginFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)) return next(context);
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
            throw new ApiException(StatusCodes.Status403Forbidden, "cross-site request refused");
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && (!Uri.TryCreate(origin, UriKind.Absolute, out var o) ||
            !string.Equals($"{o.Host}:{o.Port}", $"{request.Host.Host}:{request.Host.Port ?? (request.IsHttps ? 443 : 80)}", StringComparison.OrdinalIgnoreCase)))
            throw new ApiException(StatusCodes.Status403Forbidden, "cross-origin request refused");
        return next(context);
    }
}

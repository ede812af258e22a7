using System.Collections.Concurrent;
using System.Security.Cryptography;
using Lookout.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lookout.Server.Studio;

/// <summary>
/// Browser sessions for a server that has an API key: the page posts the key once to <c>/v1/session</c> and gets an
/// HttpOnly, SameSite=Strict cookie holding a random token (never the key), so thumbnails and videos load as plain
/// &lt;img&gt;/&lt;video&gt;. A foreign site's request carries no such cookie, and state changes also check the origin.
/// Sessions live in memory: a restart asks for the key again.
/// </summary>
public sealed class StudioSessions
{
    public const string CookieName = "lookout_session";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);

    public bool IsValid(HttpRequest request) =>
        request.Cookies.TryGetValue(CookieName, out var token) && token is { Length: 43 } &&
        _tokens.TryGetValue(token, out var expires) && expires > DateTimeOffset.UtcNow;

    public void Start(HttpContext http)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _tokens[token] = DateTimeOffset.UtcNow + Lifetime;
        foreach (var old in _tokens.Where(t => t.Value < DateTimeOffset.UtcNow).Select(t => t.Key).ToList()) _tokens.TryRemove(old, out _);
        http.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = "/", MaxAge = Lifetime,
        });
    }
}

public static class SessionApi
{
    /// <param name="keyMatches">Null when the server has no API key (then no login is needed).</param>
    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app, Func<string?, bool>? keyMatches, Microsoft.Extensions.Logging.ILogger log)
    {
        app.MapGet("/v1/session", (HttpContext http, StudioSessions sessions) =>
            StudioApi.Ok(new SessionDto(keyMatches is not null, keyMatches is null || sessions.IsValid(http.Request))))
            .WithErrors(ErrorStyle.Envelope, log).WithSummary("Whether this server wants the API key, and whether this browser is logged in").WithTags("studio");
        app.MapPost("/v1/session", (LoginRequest body, HttpContext http, StudioSessions sessions) =>
        {
            if (keyMatches is not null && !keyMatches(body.Key)) throw new ApiException(StatusCodes.Status401Unauthorized, "wrong API key");
            if (keyMatches is not null) sessions.Start(http);
            return StudioApi.Ok(new SessionDto(keyMatches is not null, true));
        }).WithErrors(ErrorStyle.Envelope, log).AddEndpointFilter<SameOriginFilter>().WithSummary("Log this browser in with the API key (sets an HttpOnly SameSite=Strict session cookie)").WithTags("studio");
        return app;
    }
}

using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lookout.Server.Web;

/// <summary>The web page's files, compiled into the assembly (no files on disk, no CDN).</summary>
public static class EmbeddedAssets
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new(StringComparer.Ordinal);

    /// <summary>Only same-origin scripts and styles; camera frames and uploads become blob:/data: images.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; " +
        "style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext http) => Page(http, "index.html")).ExcludeFromDescription();
        app.MapGet("/app.js", (HttpContext http) => Page(http, "app.js")).ExcludeFromDescription();
        app.MapGet("/app.css", (HttpContext http) => Page(http, "app.css")).ExcludeFromDescription();
        return app;
    }

    /// <summary>The studio: its page, and the bundle built from Studio/Web by the build (never committed).</summary>
    public static IEndpointRouteBuilder MapStudioPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/studio", (HttpContext http) => Page(http, "studio.html")).ExcludeFromDescription();
        app.MapGet("/studio.js", (HttpContext http) => Page(http, "studio.js")).ExcludeFromDescription();
        app.MapGet("/studio.css", (HttpContext http) => Page(http, "studio.css")).ExcludeFromDescription();
        return app;
    }

    private static IResult Page(HttpContext http, string name)
    {
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        return Result(name);
    }

    public static IResult Result(string name) => Results.Bytes(Read(name), ContentTypeOf(name));

    public static byte[] Read(string name) => Cache.GetOrAdd(name, n =>
    {
        using var stream = typeof(EmbeddedAssets).Assembly.GetManifestResourceStream("wwwroot/" + n)
            ?? throw new InvalidOperationException($"Embedded asset '{n}' is missing from the build.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };
}

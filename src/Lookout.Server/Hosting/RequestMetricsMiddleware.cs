using System.Diagnostics;
using Lookout.Server.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lookout.Server.Hosting;

/// <summary>Counts every request by route template (bounded label set: never the raw path) and status.</summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next, ServerMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            if (!route.StartsWith('/')) route = "/" + route;
            metrics.ObserveRequest(route, context.Request.Method, context.Response.StatusCode, clock.Elapsed);
        }
    }
}

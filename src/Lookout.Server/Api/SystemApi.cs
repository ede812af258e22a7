using Lookout.Server.Metrics;
using Lookout.Server.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lookout.Server.Api;

/// <summary>Operational routes: liveness and Prometheus metrics (the OpenAPI document is generated: Hosting/OpenApiSetup).</summary>
public static class SystemApi
{
    public static IEndpointRouteBuilder MapSystemApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (ModelRegistry registry) =>
            Results.Json(new { status = "ok", models = registry.List().Count }));
        app.MapGet("/metrics", (ServerMetrics metrics) =>
            Results.Text(metrics.Render(), PrometheusText.ContentType));
        return app;
    }
}

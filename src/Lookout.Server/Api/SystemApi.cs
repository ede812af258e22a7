using Lookout.Server.Hosting;
using Lookout.Server.Metrics;
using Lookout.Server.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lookout.Server.Api;

/// <summary>
/// Operational routes: health and Prometheus metrics (the OpenAPI document is generated: Hosting/OpenApiSetup).
/// <c>/healthz</c> keeps its original answer (200 with the model count) for existing monitors; <c>/healthz/live</c> says
/// the process answers at all (restart it if not); <c>/healthz/ready</c> says it wants traffic: at least one model
/// loaded and not draining (take it out of rotation if not, but do not restart it).
/// </summary>
public static class SystemApi
{
    public static IEndpointRouteBuilder MapSystemApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (ModelRegistry registry) =>
            Results.Json(new { status = "ok", models = registry.List().Count }));
        app.MapGet("/healthz/live", () => Results.Json(new { status = "live" }));
        app.MapGet("/healthz/ready", (ModelRegistry registry, ServingState state) =>
        {
            int models = registry.List().Count;
            string? reason = state.IsDraining ? "draining" : models == 0 ? "no model loaded" : null;
            return reason is null
                ? Results.Json(new { status = "ready", models })
                : Results.Json(new { status = "not ready", reason, models }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/metrics", (ServerMetrics metrics) =>
            Results.Text(metrics.Render(), PrometheusText.ContentType));
        return app;
    }
}

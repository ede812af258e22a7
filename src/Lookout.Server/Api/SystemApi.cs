using Lookout.Server.Metrics;
using Lookout.Server.Models;
using Lookout.Server.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lookout.Server.Api;

/// <summary>Operational routes: liveness, Prometheus metrics, the OpenAPI document.</summary>
public static class SystemApi
{
    public static IEndpointRouteBuilder MapSystemApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (ModelRegistry registry) =>
            Results.Json(new { status = "ok", models = registry.List().Count }));
        app.MapGet("/metrics", (ServerMetrics metrics) =>
            Results.Text(metrics.Render(), PrometheusText.ContentType));
        app.MapGet("/openapi.json", () => EmbeddedAssets.Result("openapi.json"));
        return app;
    }
}

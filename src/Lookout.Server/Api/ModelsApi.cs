using System.Text.Json.Serialization;
using Lookout.Server.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Api;

public sealed record ModelInputInfo(
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("resize")] string Resize);

/// <summary>What a client may know about a served model (never its file path).</summary>
public sealed record ModelInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("labels")] IReadOnlyList<string> Labels,
    [property: JsonPropertyName("input")] ModelInputInfo Input,
    [property: JsonPropertyName("backbone")] string? Backbone,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("loadedAt")] DateTimeOffset LoadedAt,
    [property: JsonPropertyName("loadMs")] double LoadMs)
{
    public static ModelInfo Of(ModelHandle h) => new(
        h.Name, h.Model.Labels, new ModelInputInfo(h.Model.Spec.Width, h.Model.Spec.Height, h.Model.Spec.Resize.ToString()),
        h.Model.Backbone, h.Version, h.LoadedAt, Math.Round(h.LoadTime.TotalMilliseconds, 1));
}

/// <summary><c>GET /v1/models</c> and <c>POST /v1/models/{name}/reload</c>.</summary>
public static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app, ILogger log)
    {
        var group = app.MapGroup("/v1/models").WithErrors(ErrorStyle.Envelope, log);
        group.MapGet("/", (ModelRegistry registry) => ApiResults.Success(registry.List().Select(ModelInfo.Of).ToList()));
        group.MapPost("/{name}/reload", (string name, ModelRegistry registry) => ApiResults.Success(ModelInfo.Of(Reload(registry, name))))
            .DisableAntiforgery();
        return app;
    }

    private static ModelHandle Reload(ModelRegistry registry, string name)
    {
        try { return registry.Reload(name); }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // The loader's message names the file path; the client gets the fact, the log gets the detail.
            throw new ApiException(StatusCodes.Status422UnprocessableEntity, $"reload of '{name}' failed: the file is not a usable model; the previous version keeps serving");
        }
    }
}

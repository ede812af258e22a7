using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Lookout.Server.Hosting;

/// <summary>
/// The OpenAPI document at <c>/openapi.json</c>, generated from the mapped endpoints (Microsoft.AspNetCore.OpenApi):
/// typed routes describe themselves; the image routes, which read their multipart form by hand (size caps while
/// reading), get their form fields and a summary from the table below.
/// </summary>
internal static class OpenApiSetup
{
    private const string Description =
        "Classify images with models trained in Lookout, detect COCO objects, recognise enrolled faces, and collect and label " +
        "examples in the studio. /v1 routes answer in the {meta, data} envelope; /v1/vision routes follow DeepStack / CodeProject.AI. " +
        "POST routes under /v1 refuse cross-site requests from browsers (403: a foreign page's Origin or Sec-Fetch-Site) unless the origin " +
        "is allowed with --cors; clients that are not browsers are not affected. The API key goes in X-Api-Key or Authorization: Bearer; " +
        "on /v1/vision routes also in the form field api_key (as DeepStack). Malformed forms (wrong boundary, truncated body) answer 400; " +
        "form limits (more than 64 text fields, 32 files, or a field value over 4096 bytes) answer 413 with the reason.";

    /// <summary>DeepStack's form field for the API key (X-Api-Key or Bearer work too).</summary>
    private const string Key = "api_key";

    private sealed record Form(string Summary, string[] Fields, string[] Required, bool RawBody = false);

    private static readonly Dictionary<string, Form> Forms = new(StringComparer.Ordinal)
    {
        ["POST /v1/classify"] = new("Classify one image", ["file:binary", "model", "top:integer", "min_sharpness:number"], [], RawBody: true),
        ["POST /v1/detect"] = new("Detect objects in one image (boxes in original pixels) with the COCO detector or a trained one named by model; annotate=true answers the image with boxes drawn",
            ["file:binary", "model", "classes", "min_score:number", "annotate:boolean"], [], RawBody: true),
        ["POST /v1/score"] = new("Count things in one image with a detector and score them with a recipe (points and a verdict): recipe names a recipe (workspace recipes/<name>.yaml or built-in home-office), recipe_text is the YAML itself",
            ["file:binary", "recipe", "recipe_text", "model"], [], RawBody: true),
        ["POST /v1/vision/custom/{model}"] = new("DeepStack custom model: a trained detector's boxes, or a classifier's classes at or above min_confidence, each with the whole-image box", ["image:binary", "min_confidence:number", Key], ["image"]),
        ["POST /v1/vision/scene"] = new("DeepStack scene: the default (or 'model') classifier's top class (no min_confidence, like DeepStack: one sent along is ignored)", ["image:binary", Key], ["image"]),
        ["POST /v1/vision/detection"] = new("DeepStack / CodeProject.AI object detection (COCO labels, or a trained detector's named by model; integer pixel boxes)", ["image:binary", "min_confidence:number", "model", Key], ["image"]),
        ["POST /v1/vision/face"] = new("DeepStack face detection: face boxes (label \"face\")", ["image:binary", "min_confidence:number", Key], ["image"]),
        ["POST /v1/vision/face/register"] = new("Enroll the largest face of each image under userid (in the workspace's catalog.db)", ["image:binary", "image1:binary", "userid", Key], ["userid"]),
        ["POST /v1/vision/face/recognize"] = new("Recognise faces: userid is an enrolled name, or \"unknown\" below the calibrated threshold", ["image:binary", "min_confidence:number", Key], ["image"]),
        ["POST /v1/vision/face/delete"] = new("Remove every enrolled face of userid", ["userid", Key], ["userid"]),
        ["POST /v1/vision/face/list"] = new("Enrolled names", [Key], []),
        ["POST /v1/vision/custom/list"] = new("Names of served models", [Key], []),
        ["GET /v1/vision/custom/list"] = new("Names of served models (GET for clients that use it; same answer as POST)", [], []),
        ["POST /v1/vision/listmodels"] = new("DeepStack's model list: name, file time and size in MB of every served model", [Key], []),
        ["GET /v1/models"] = new("Served models", [], []),
        ["POST /v1/models/{name}/reload"] = new("Reload a model from its file; in-flight requests finish on the old version", [], []),
        ["GET /healthz"] = new("Liveness (kept for existing monitors; same as /healthz/live plus the model count)", [], []),
        ["GET /healthz/live"] = new("Liveness: the process answers (restart it if not)", [], []),
        ["GET /healthz/ready"] = new("Readiness: 200 when a model is loaded and the server is not draining, else 503 (take it out of rotation)", [], []),
        ["GET /metrics"] = new("Prometheus text format", [], []),
    };

    public static IServiceCollection AddLookoutOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info = new OpenApiInfo { Title = "Lookout", Version = "1", Description = Description };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((op, ctx, _) =>
            {
                var d = ctx.Description;
                if (Forms.TryGetValue($"{d.HttpMethod} /{d.RelativePath}", out var form)) Describe(op, form);
                return Task.CompletedTask;
            });
        });

    public static IEndpointRouteBuilder MapLookoutOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi.json");
        return app;
    }

    private static void Describe(OpenApiOperation op, Form form)
    {
        op.Summary ??= form.Summary;
        if (form.Fields.Length == 0) return;
        var schema = new OpenApiSchema { Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema>(), Required = new HashSet<string>(form.Required) };
        foreach (var field in form.Fields)
        {
            var (name, type) = field.Split(':') is [var n, var t] ? (n, t) : (field, "string");
            schema.Properties[name] = type switch
            {
                "binary" => new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                "integer" => new OpenApiSchema { Type = JsonSchemaType.Integer },
                "number" => new OpenApiSchema { Type = JsonSchemaType.Number },
                "boolean" => new OpenApiSchema { Type = JsonSchemaType.Boolean },
                _ => new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }
        var content = new Dictionary<string, OpenApiMediaType> { ["multipart/form-data"] = new() { Schema = schema } };
        if (form.RawBody)
        {
            content["image/*"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
            content["application/octet-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
        }
        op.RequestBody = new OpenApiRequestBody { Required = form.Required.Length > 0 || form.RawBody, Content = content };
    }
}

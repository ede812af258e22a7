using Lookout.Core.IO;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Media;
using Lookout.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Studio;

/// <summary>
/// <c>/v1/projects/...</c>: the studio's JSON API. Handlers bind input, call Core's studio layer and shape the answer;
/// every state change refuses cross-site requests (Hosting/CrossSiteGuard, for all of /v1).
/// </summary>
public static class StudioApi
{
    public static IEndpointRouteBuilder MapStudioApi(this IEndpointRouteBuilder app, ILogger log)
    {
        var g = app.MapGroup("/v1/projects").WithErrors(ErrorStyle.Envelope, log).WithTags("studio");
        g.MapGet("/", (StudioHost studio) => Ok(studio.Store.List().Select(Describe).ToList())).WithSummary("Studio projects");
        g.MapPost("/", (CreateProjectRequest body, StudioHost studio) => Ok(Describe(studio.Create(body.Name, body.Backbone, IsDetect(body.Task)).Project)))
            .WithSummary("Create a project: an empty data folder (one folder per class; task=detect: classes.txt and a box file beside each picture) and its workspace");
        g.MapGet("/{project}", (string project, StudioHost studio) => Ok(Describe(studio.Open(project).Project))).WithSummary("A project: classes with counts, inbox, current model");
        g.MapPost("/{project}/settings", async (string project, SettingsRequest body, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project).Project;
            if (IsDetect(body.Task)) await Lookout.Core.Studio.Boxes.BoxProject.MakeDetectionAsync(p, ct);
            else if (body.Task is not null && Lookout.Core.Studio.Boxes.BoxProject.IsDetection(p))
                throw new ApiException(StatusCodes.Status409Conflict, "a detection project stays one (its box files are kept); make a new project to classify");
            if (body.BlurThreshold is { } t)
            {
                if (!double.IsFinite(t) || t < 0) throw new ApiException(StatusCodes.Status400BadRequest, "blur threshold must be a non-negative number");
                p.SetSetting(StudioProject.BlurThresholdKey, t.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            if (body.Backbone is { } b) p.SetSetting(StudioProject.BackboneKey, b);
            return Ok(Describe(p));
        }).WithSummary("Change the blur threshold or the backbone used for ordering and duplicates; task=detect makes it a detection project");

        g.MapPost("/{project}/classes", async (string project, ClassRequest body, StudioHost studio, CancellationToken ct) =>
        {
            var c = await ProjectClasses.AddAsync(studio.Open(project).Project, body.Name, ct);
            return Ok(new ClassDto(c.Name, c.Items));
        }).WithSummary("Add a class (an empty label folder)");
        g.MapPost("/{project}/classes/{name}/rename", async (string project, string name, RenameRequest body, StudioHost studio, CancellationToken ct) =>
        {
            var c = await ProjectClasses.RenameAsync(studio.Open(project).Project, name, body.To, ct);
            return Ok(new ClassDto(c.Name, c.Items));
        }).WithSummary("Rename a class: its folder moves atomically; labels, splits and cached embeddings are kept");

        g.MapGet("/{project}/items", (string project, string? view, string? label, int? limit, StudioHost studio) =>
        {
            var p = studio.Open(project).Project;
            var model = CurrentModel.Find(p);
            var v = ParseView(view);
            if (limit is < 0) throw new ApiException(StatusCodes.Status400BadRequest, "limit must not be negative");
            var items = ItemQuery.List(p, v, label, model?.Run, limit);
            var total = limit is null ? items.Count : ItemQuery.Count(p, v, label);
            var threshold = p.BlurThreshold;
            return Ok(new ItemListDto(items.Select(i => ItemDto.Of(i, threshold)).ToList(), "added", null, ModelOf(model), total));
        }).WithSummary("Photos and video frames of a view: all, inbox (unlabelled), class (with label=), excluded; limit= for the first page");

        g.MapGet("/{project}/thumbs/{sha}", (string project, string sha, StudioHost studio, HttpContext http) =>
        {
            var jpeg = MediaIndex.Thumb(studio.Open(project).Project, sha);
            if (jpeg is null) return Results.NotFound();
            // Named by content: the same URL can never show other pixels, so the browser may keep it for good.
            http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
            return Results.Bytes(jpeg, "image/jpeg");
        }).WithSummary("Grid thumbnail (JPEG, at most 256 px) of the content with this SHA-256").Produces(200, contentType: "image/jpeg");

        g.MapPost("/{project}/uploads", UploadAsync).WithSummary(
            "Add one photo or video (raw body, Content-Type application/octet-stream; ?class= or none for the inbox; ?name= for the report). " +
            "Videos become frames exactly as 'data scan' makes them; identical content (SHA-256) is recognised as a duplicate.")
            .Accepts<byte[]>("application/octet-stream");

        g.MapPost("/{project}/labels", async (string project, LabelRequest body, StudioHost studio, CancellationToken ct) =>
            Ok((await ItemLabels.AssignAsync(NotDetection(studio.Open(project).Project), Ids(body.Ids), body.Label, ct)).Select(LabelChangeDto.Of).ToList()))
            .WithSummary("Give items a class (label null: back to the inbox); answers each item's previous label, for undo");
        g.MapPost("/{project}/exclude", async (string project, ExcludeRequest body, StudioHost studio, CancellationToken ct) =>
            Ok((await ItemLabels.ExcludeAsync(studio.Open(project).Project, Ids(body.Ids), body.Excluded, body.Reason, ct)).Select(LabelChangeDto.Of).ToList()))
            .WithSummary("Exclude items from training (or bring them back with excluded=false); labels are kept");
        return app;
    }

    private static async Task<Envelope<UploadDto>> UploadAsync(string project, HttpContext http, StudioHost studio, CancellationToken ct)
    {
        var services = studio.Open(project);
        var request = http.Request;
        if (request.HasFormContentType)
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "send the file as the raw body with Content-Type application/octet-stream");
        long max = Math.Max(studio.Limits.MaxImageBytes, studio.Limits.MaxVideoBytes);
        if (request.ContentLength > max) throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"larger than the limit of {max / 1024 / 1024} MB");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = max;
        var label = request.Query["class"].ToString();
        if (label.Length > 0) NotDetection(services.Project);
        var result = await services.Uploads.AddAsync(request.Body, request.Query["name"].ToString(), label.Length == 0 ? null : label, ct: ct);
        return Ok(UploadDto.Of(result));
    }

    internal static Envelope<T> Ok<T>(T data) => new(new Meta("success", StatusCodes.Status200OK), data);

    internal static ProjectDto Describe(StudioProject p)
    {
        var classes = ProjectClasses.List(p);
        var detect = Lookout.Core.Studio.Boxes.BoxProject.IsDetection(p);
        var counts = ItemQuery.Counts(p, photosOnly: detect);
        var disk = DiskSpace.Of(p.Root);
        return new ProjectDto(p.Name, classes.Select(c => new ClassDto(c.Name, c.Items)).ToList(),
            counts.Inbox, counts.Excluded, counts.Total, p.Backbone, p.BlurThreshold, ModelOf(CurrentModel.Find(p)),
            detect ? "detect" : "classify", disk?.FreeBytes, disk?.Low ?? false);
    }

    /// <summary>A detection project's pictures stay in the inbox folder and get boxes (a class folder would make them background images).</summary>
    private static StudioProject NotDetection(StudioProject p) => Lookout.Core.Studio.Boxes.BoxProject.IsDetection(p)
        ? throw new ApiException(StatusCodes.Status409Conflict, "a detection project's pictures get boxes, not a class: add them to the inbox and draw boxes in the box editor")
        : p;

    private static bool IsDetect(string? task) => (task ?? "classify").ToLowerInvariant() switch
    {
        "classify" => false,
        "detect" => true,
        _ => throw new ApiException(StatusCodes.Status400BadRequest, "task must be classify or detect"),
    };

    internal static ModelDto? ModelOf(ProjectModel? m) => m is null ? null : new ModelDto(m.Run, m.Labels);

    private static ItemView ParseView(string? view) => (view ?? "all").ToLowerInvariant() switch
    {
        "all" => ItemView.All,
        "inbox" => ItemView.Inbox,
        "class" => ItemView.Class,
        "excluded" => ItemView.Excluded,
        _ => throw new ApiException(StatusCodes.Status400BadRequest, "view must be all, inbox, class or excluded"),
    };

    internal static IReadOnlyCollection<long> Ids(IReadOnlyList<long>? ids) =>
        ids is { Count: > 0 and <= 100_000 } ? ids : throw new ApiException(StatusCodes.Status400BadRequest, "give between 1 and 100000 item ids");
}

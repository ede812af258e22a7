using Lookout.Core.Inference;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Assist;
using Lookout.Core.Studio.Import;
using Lookout.Core.Studio.Walkthroughs;
using Lookout.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using static Lookout.Server.Studio.StudioApi;

namespace Lookout.Server.Studio;

/// <summary>The studio routes beyond plain labelling: URL import, AI suggestions, ordering, duplicates, walk-throughs.</summary>
public static class StudioAssistApi
{
    public static IEndpointRouteBuilder MapStudioAssistApi(this IEndpointRouteBuilder app, ILogger log)
    {
        var g = app.MapGroup("/v1/projects/{project}").WithErrors(ErrorStyle.Envelope, log).AddEndpointFilter<SameOriginFilter>().WithTags("studio");

        g.MapPost("/imports/urls", async (string project, UrlImportRequest body, StudioHost studio, ServerOptions options, CancellationToken ct) =>
        {
            var services = studio.Open(project);
            using var importer = new UrlImporter(new UrlImportOptions { AllowedRanges = options.ImportAllowedRanges, MaxBytes = options.MaxUploadBytes });
            var results = await importer.ImportAsync(body.Urls ?? [], services.Uploads, string.IsNullOrEmpty(body.Label) ? null : body.Label, ct);
            return Ok(results.Select(r => new UrlResultDto(r.Url, r.Status.ToString().ToLowerInvariant(), r.Reason, r.Ids)).ToList());
        }).WithSummary("Import image URLs into a class (or the inbox). SSRF-safe: http(s) only, every resolved address and every redirect checked " +
                       "(no loopback, private, link-local, multicast or metadata addresses unless allowed), size and time limits, content sniffed; a result per URL");

        g.MapPost("/suggestions", async (string project, StudioHost studio, CancellationToken ct) =>
        {
            var r = await InboxAssistant.SuggestAsync(studio.Open(project).Project, ct);
            return Ok(new SuggestRunDto(r.Run, r.Scored, r.Reason));
        }).WithSummary("Pre-label the inbox with the project's current model (best class, score, runner-up, margin)");

        g.MapGet("/ordered", async (string project, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project).Project;
            var model = CurrentModel.Find(p);
            var order = await InboxAssistant.OrderAsync(p, ct);
            var items = ItemQuery.List(p, ItemView.Inbox, run: model?.Run).ToDictionary(i => i.Id);
            var threshold = p.BlurThreshold;
            var list = order.Items.Where(r => items.ContainsKey(r.Id)).Select(r => ItemDto.Of(items[r.Id], threshold, new RankDto(r.Position, r.Reason))).ToList();
            return Ok(new ItemListDto(list, "useful", order.Strategy, ModelOf(model), list.Count));
        }).WithSummary("The inbox, most useful first: k-center diversity while the model is weak or absent, then margin uncertainty thinned by diversity; each item says why");

        g.MapGet("/duplicates", async (string project, string? view, string? label, StudioHost studio, CancellationToken ct) =>
        {
            var v = view is null or "inbox" ? ItemView.Inbox : view == "class" ? ItemView.Class : ItemView.All;
            var clusters = await InboxAssistant.DuplicatesAsync(studio.Open(project).Project, v, label, ct);
            return Ok(clusters.Select(c => new ClusterDto(c.Keep, c.Members, c.Reason)).ToList());
        }).WithSummary("Groups of near-duplicates (dHash + embedding cosine), each with the sharpest one to keep");

        g.MapGet("/walkthroughs", (string project, StudioHost studio) =>
            Ok(WalkthroughStore.List(studio.Open(project).Project).Select(WalkthroughDto.Of).ToList()))
            .WithSummary("Walk-through validation videos and their segments");
        g.MapPost("/walkthroughs", async (string project, HttpContext http, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project).Project;
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = studio.Limits.MaxVideoBytes;
            var w = await WalkthroughStore.AddAsync(p, http.Request.Body, http.Request.Query["name"].ToString(), studio.Limits, ct);
            return Ok(new UploadDto(w.Name, "added", null, w.Sha256, true, [w.Id], null));
        }).WithSummary("Upload a walk-through video (raw body, application/octet-stream); kept out of the training data").Accepts<byte[]>("application/octet-stream");
        g.MapGet("/walkthroughs/{id:long}/video", (string project, long id, StudioHost studio) =>
        {
            var p = studio.Open(project).Project;
            var w = WalkthroughStore.Get(p, id);
            var type = Path.GetExtension(w.File) switch { ".webm" => "video/webm", ".mkv" => "video/x-matroska", ".mov" => "video/quicktime", ".avi" => "video/x-msvideo", _ => "video/mp4" };
            return Results.File(WalkthroughStore.PathOf(p, w), type, enableRangeProcessing: true);
        }).WithSummary("The walk-through video (range requests, for seeking)");
        g.MapPost("/walkthroughs/{id:long}/segments", async (string project, long id, SegmentsRequest body, StudioHost studio, CancellationToken ct) =>
        {
            var segments = (body.Segments ?? []).Select(s => new TimeSegment(s.StartMs, s.EndMs, string.IsNullOrEmpty(s.Label) ? null : s.Label)).ToList();
            return Ok(WalkthroughDto.Of(await WalkthroughStore.SaveSegmentsAsync(studio.Open(project).Project, id, segments, ct)));
        }).WithSummary("Replace the segments: [startMs, endMs) with a class, or label null for 'none of these'");
        g.MapPost("/walkthroughs/{id:long}/evaluate", async (string project, long id, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project).Project;
            var w = WalkthroughStore.Get(p, id);
            var model = CurrentModel.Find(p) ?? throw new StudioException("no model yet: train one first", StudioProblem.NotFound);
            using var classifier = ClassifierModel.Load(model.ModelPath);
            var e = await WalkthroughEvaluator.EvaluateAsync(classifier, WalkthroughStore.PathOf(p, w), w.Segments, ct: ct);
            return Ok(new WalkthroughEvalDto(model.Run, e.Frames, e.Scored, e.Accuracy, e.SmoothedAccuracy, e.PersistFrames,
                e.PerClass.Select(c => new ClassScoreDto(c.Label, c.Frames, c.Accuracy, c.Smoothed)).ToList(),
                e.Timeline.Select(f => new FrameScoreDto(f.TimeMs, f.Truth, f.Scored, f.Predicted, f.Smoothed, Math.Round(f.Score, 4))).ToList()));
        }).WithSummary("Score the current model on the walk-through: per frame and with persistence smoothing");
        return app;
    }
}

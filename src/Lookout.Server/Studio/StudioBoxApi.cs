using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Imaging;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Boxes;
using Lookout.Core.Studio.Trying;
using Lookout.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using static Lookout.Server.Studio.StudioApi;

namespace Lookout.Server.Studio;

/// <summary>"Try it" (a run's answer, verdict and Grad-CAM for a picture the user brings) and the box editor's API.</summary>
public static class StudioBoxApi
{
    /// <summary>Longest side of the picture the box editor draws on (boxes themselves are in the picture's full size).</summary>
    public const int ViewSide = 1600;

    public static IEndpointRouteBuilder MapStudioBoxApi(this IEndpointRouteBuilder app, ILogger log)
    {
        var g = app.MapGroup("/v1/projects/{project}").WithErrors(ErrorStyle.Envelope, log).WithTags("studio");

        g.MapPost("/runs/{run}/try", TryAsync).WithSummary(
            "Try a run's model (run=latest: the newest with a classifier) on a picture (raw body, application/octet-stream): the top classes, " +
            "the verdict ('unknown' when the calibrated thresholds refuse it or 'none of these' wins) and a Grad-CAM overlay (base64 PNG) of the top class. Nothing is stored.")
            .Accepts<byte[]>("application/octet-stream");

        g.MapGet("/boxes", async (string project, StudioHost studio, CancellationToken ct) =>
        {
            var services = studio.Open(project);
            var p = services.Project;
            if (!BoxProject.IsDetection(p)) throw new StudioException("this project is not a detection project", StudioProblem.Conflict);
            // Pictures and videos may have been copied into the data folder by hand: the list is of what it holds now.
            await services.Scanner.ScanAsync(ct);
            if (await VideoFramePictures.WriteMissingAsync(p, ct) > 0) await services.Scanner.ScanAsync(ct);
            var pictures = ItemQuery.List(p, ItemView.All).Where(i => i.Kind == ItemKind.Image && !i.Excluded).ToList();
            var reviewed = BoxLabels.ReviewedCounts(p, pictures);
            return Ok(new BoxIndexDto(BoxProject.Classes(p), BoxSuggester.Map(p),
                pictures.Select(i => new BoxPictureDto(i.Id, i.Name, i.Sha256, reviewed.ContainsKey(i.Id), reviewed.GetValueOrDefault(i.Id))).ToList()));
        }).WithSummary("A detection project's box classes (classes.txt order = YOLO ids), its detector-class mapping, and its photos with whether each is reviewed (has a box file) and how many boxes it has; " +
            "the data folder is scanned first, so files copied in by hand are listed, and a video's frames become pictures once");
        g.MapGet("/pictures/{id:long}", (string project, long id, StudioHost studio) =>
            Results.Bytes(BoxLabels.View(studio.Open(project).Project, id, ViewSide), "image/jpeg"))
            .WithSummary($"A photo to draw boxes on (JPEG, EXIF orientation applied, at most {ViewSide} px)").Produces(200, contentType: "image/jpeg");
        g.MapGet("/pictures/{id:long}/boxes", (string project, long id, StudioHost studio) => Ok(BoxesDto.Of(BoxLabels.Read(studio.Open(project).Project, id))))
            .WithSummary("A photo's saved boxes in pixels of its displayed size (reviewed=false: no box file yet)");
        g.MapGet("/pictures/{id:long}/suggestions", (string project, long id, float? minScore, StudioHost studio) =>
        {
            var options = minScore is { } m ? new Lookout.Core.Inference.Detectors.DetectorOptions { MinScore = m } : null;
            var s = BoxSuggester.Suggest(studio.Open(project).Project, id, options);
            return Ok(new SuggestionsDto(s.Detector, s.Run, s.Trained,
                s.Boxes.Select(b => new BoxDto(b.Label, b.Box.X1, b.Box.Y1, b.Box.X2, b.Box.Y2, MathF.Round(b.Score, 3), b.DetectorLabel)).ToList(),
                s.Unmapped.Select(u => new UnmappedDto(u.Label, u.Boxes)).ToList()));
        }).WithSummary("Boxes the current detector proposes for a photo (the project's newest trained detector run, else the shipped COCO NanoDet), " +
            "in project classes (same name or mapped); the detector's other classes it saw are listed as unmapped");
        g.MapPost("/pictures/{id:long}/boxes", async (string project, long id, SaveBoxesRequest body, StudioHost studio, CancellationToken ct) =>
        {
            var boxes = (body.Boxes ?? []).Select(b => new LabeledBox(b.Label ?? "", new BoxF(b.X1, b.Y1, b.X2, b.Y2))).ToList();
            if (boxes.Count > 1000) throw new ApiException(StatusCodes.Status400BadRequest, "at most 1000 boxes per picture");
            var (before, after) = await BoxLabels.SaveAsync(studio.Open(project).Project, id, boxes, ct);
            return Ok(new SavedBoxesDto(BoxesDto.Of(before), BoxesDto.Of(after)));
        }).WithSummary("Save a photo's boxes (pixels of its displayed size; an empty list marks it reviewed with nothing in it) to the YOLO file beside it, atomically; " +
            "new class names are added to classes.txt; answers the previous boxes, for undo");
        g.MapPost("/pictures/{id:long}/boxes/clear", async (string project, long id, StudioHost studio, CancellationToken ct) =>
            Ok(BoxesDto.Of(await BoxLabels.ClearAsync(studio.Open(project).Project, id, ct))))
            .WithSummary("Remove a photo's box file (unreviewed again: the undo of a first save); answers the boxes it held");
        g.MapPost("/boxes/map", async (string project, MapRequest body, StudioHost studio, CancellationToken ct) =>
            Ok(await BoxSuggester.MapAsync(studio.Open(project).Project, body.From ?? "", body.To, ct)))
            .WithSummary("Map a detector class (e.g. COCO 'dog') to a project box class (to=null removes the mapping); answers the whole mapping");
        return app;
    }

    private static async Task<Envelope<TryDto>> TryAsync(string project, string run, int? top, HttpContext http, StudioHost studio, CancellationToken ct)
    {
        var p = studio.Open(project).Project;
        var request = http.Request;
        if (request.HasFormContentType)
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "send the picture as the raw body with Content-Type application/octet-stream");
        long max = studio.Limits.MaxImageBytes;
        if (request.ContentLength > max) throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"larger than the limit of {max / 1024 / 1024} MB");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = max;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length == 0) throw new ApiException(StatusCodes.Status400BadRequest, "the body is empty: send a picture");
        if (buffer.Length > max) throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"larger than the limit of {max / 1024 / 1024} MB");
        var a = await TryModel.RunAsync(p, run, buffer.ToArray(), top ?? 5, studio.Limits.ImageLimits, ct);
        return Ok(new TryDto(a.Run, a.Answer, a.Unknown, a.Reason, a.Predictions.Select(x => new ScoreDto(x.Label, MathF.Round(x.Score, 4))).ToList(),
            a.Explained, a.GradCamPng is null ? null : Convert.ToBase64String(a.GradCamPng), a.GradCamError));
    }
}

public sealed record ScoreDto(string Label, float Score);

/// <param name="Answer">The top class, or "unknown" (then <see cref="Reason"/> says why).</param>
/// <param name="GradCam">Base64 PNG at the model's input size: which pixels drove the score of <see cref="Explained"/>.</param>
public sealed record TryDto(string Run, string Answer, bool Unknown, string? Reason, IReadOnlyList<ScoreDto> Predictions, string Explained,
    string? GradCam, string? GradCamError);

/// <summary>A box in pixels of the picture's displayed size; score and detector label only on suggestions.</summary>
public sealed record BoxDto(string Label, float X1, float Y1, float X2, float Y2, float? Score = null, string? Detected = null);

public sealed record BoxesDto(long Id, int Width, int Height, bool Reviewed, IReadOnlyList<BoxDto> Boxes)
{
    public static BoxesDto Of(PictureBoxes p) =>
        new(p.Id, p.Width, p.Height, p.Reviewed, p.Boxes.Select(b => new BoxDto(b.Label, b.Box.X1, b.Box.Y1, b.Box.X2, b.Box.Y2)).ToList());
}

public sealed record SavedBoxesDto(BoxesDto Before, BoxesDto After);

public sealed record BoxPictureDto(long Id, string Name, string Sha, bool Reviewed, int Boxes);

public sealed record BoxIndexDto(IReadOnlyList<string> Classes, IReadOnlyDictionary<string, string> Map, IReadOnlyList<BoxPictureDto> Pictures);

public sealed record SuggestionsDto(string Detector, string? Run, bool Trained, IReadOnlyList<BoxDto> Boxes, IReadOnlyList<UnmappedDto> Unmapped);

public sealed record UnmappedDto(string Label, int Boxes);

public sealed record BoxInputDto(string? Label, float X1, float Y1, float X2, float Y2);

public sealed record SaveBoxesRequest(IReadOnlyList<BoxInputDto>? Boxes);

public sealed record MapRequest(string? From, string? To);

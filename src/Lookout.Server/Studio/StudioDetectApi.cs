using Lookout.Core;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Runs;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Jobs;
using Lookout.Core.Studio.Results;
using Lookout.Core.Studio.Trying;
using Lookout.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using static Lookout.Server.Studio.StudioApi;

namespace Lookout.Server.Studio;

/// <summary>A detection project's side of Train, Results and Try it: the time estimate, a detector run's mAP and galleries, boxes on a picture or a video's frames.</summary>
public static class StudioDetectApi
{
    public static IEndpointRouteBuilder MapStudioDetectApi(this IEndpointRouteBuilder app, ILogger log)
    {
        var g = app.MapGroup("/v1/projects/{project}").WithErrors(ErrorStyle.Envelope, log).WithTags("studio");

        g.MapGet("/detect/estimate", (string project, StudioHost studio) =>
        {
            var p = studio.Open(project);
            return Ok(DetectEstimator.For(p.Project, p.Jobs));
        }).WithSummary("A detection project's training estimate: reviewed pictures, boxes per class, 'too few boxes' warnings, seconds for quick and better");
        g.MapGet("/runs/{run}/detect", (string project, string run, StudioHost studio) =>
        {
            var p = studio.Open(project).Project;
            return Ok(DetectResults.Read(p, Open(p, run)));
        }).WithSummary("A detector run's results: epochs (loss curves), test mAP@0.5 and mAP@0.5:0.95 per class, and the false-positive and miss galleries with the project picture each shows");
        g.MapGet("/runs/{run}/picture", (string project, string run, string file, StudioHost studio) =>
        {
            var folder = Open(studio.Open(project).Project, run);
            var path = DetectResults.PicturePath(folder, file);
            if (path is null || !File.Exists(path)) throw new StudioException($"no picture '{file}' in run {run}", StudioProblem.NotFound);
            return Results.File(path, file.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg");
        }).WithSummary("A detector run's picture: file=pr.png (precision-recall curves) or gallery/false-positives|misses/<name>.jpg");
        g.MapPost("/runs/{run}/detect", TryAsync).WithSummary(
            "Try a detector run (run=latest: the newest with a model) on a picture (raw body, application/octet-stream): boxes in the picture's pixels with class and score. Nothing is stored.")
            .Accepts<byte[]>("application/octet-stream");
        g.MapPost("/runs/{run}/detect-video", TryVideoAsync).WithSummary(
            $"Try a detector run (run=latest: the newest with a model) on a video (raw body, application/octet-stream): up to {VideoDetectTry.MaxFrames} frames " +
            $"spread over the clip (at most {VideoDetectTry.FrameSide} px, base64 JPEG) with the boxes found on each, in that frame's pixels. Nothing is stored.")
            .Accepts<byte[]>("application/octet-stream");
        return app;
    }

    private static async Task<Envelope<DetectVideoTryDto>> TryVideoAsync(string project, string run, float? minScore, HttpContext http, StudioHost studio, CancellationToken ct)
    {
        var p = studio.Open(project).Project;
        (var folder, run) = DetectorRun(p, run);
        var request = http.Request;
        if (request.HasFormContentType)
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "send the video as the raw body with Content-Type application/octet-stream");
        long max = studio.Limits.MaxVideoBytes;
        if (request.ContentLength > max) throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"larger than the limit of {max / 1024 / 1024} MB");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = max;
        var options = new DetectorOptions { MinScore = minScore ?? new DetectorOptions().MinScore };
        using var detector = DetectorService.Open(folder.ModelPath);
        var frames = await VideoDetectTry.RunAsync(p, detector, request.Body, studio.Limits, options, ct);
        return Ok(new DetectVideoTryDto(run, frames.Select(f => new DetectedFrameDto(f.TimeMs, f.Width, f.Height, Convert.ToBase64String(f.Jpeg),
            f.Detections.Select(d => new BoxDto(d.Label, d.Box.X1, d.Box.Y1, d.Box.X2, d.Box.Y2, MathF.Round(d.Score, 3))).ToList())).ToList()));
    }

    /// <summary>The run a Try names ("latest": the newest detector run with a model), checked to be a detector with a model.</summary>
    private static (RunFolder Folder, string Run) DetectorRun(StudioProject p, string run)
    {
        if (run == "latest")
            run = new RunStore(p.Workspace.RunsDir).List().LastOrDefault(r => r.Task == RunSummary.DetectTask && r.HasModel)?.Id
                ?? throw new StudioException("no detector run with a model yet: train first", StudioProblem.NotFound);
        var folder = Open(p, run);
        if (!DetectResults.IsDetectRun(folder)) throw new StudioException($"run {run} is not a detector run", StudioProblem.Conflict);
        if (!File.Exists(folder.ModelPath)) throw new StudioException($"run {run} has no model yet", StudioProblem.Conflict);
        return (folder, run);
    }

    private static RunFolder Open(StudioProject p, string run)
    {
        var store = new RunStore(p.Workspace.RunsDir);
        if (run.Contains('/') || run.Contains('\\') || run.StartsWith('.') || !Directory.Exists(Path.Combine(store.Root, run)))
            throw new StudioException($"no run '{run}'", StudioProblem.NotFound);
        return store.Open(run);
    }

    private static async Task<Envelope<DetectTryDto>> TryAsync(string project, string run, float? minScore, HttpContext http, StudioHost studio, CancellationToken ct)
    {
        var p = studio.Open(project).Project;
        (var folder, run) = DetectorRun(p, run);
        var bytes = await ReadBodyAsync(http, studio.Limits.MaxImageBytes, ct);
        var options = new DetectorOptions { MinScore = minScore ?? new DetectorOptions().MinScore };
        var result = await Task.Run(() =>
        {
            using var detector = DetectorService.Open(folder.ModelPath);
            return detector.Detect(bytes, options);
        }, ct);
        if (!result.Ok) throw new ApiException(StatusCodes.Status400BadRequest, result.Error!);
        return Ok(new DetectTryDto(run, result.Width, result.Height,
            result.Detections.Select(d => new BoxDto(d.Label, d.Box.X1, d.Box.Y1, d.Box.X2, d.Box.Y2, MathF.Round(d.Score, 3))).ToList()));
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext http, long max, CancellationToken ct)
    {
        var request = http.Request;
        if (request.HasFormContentType)
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "send the picture as the raw body with Content-Type application/octet-stream");
        if (request.ContentLength > max) throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"larger than the limit of {max / 1024 / 1024} MB");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = max;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length == 0) throw new ApiException(StatusCodes.Status400BadRequest, "the body is empty: send a picture");
        if (buffer.Length > max) throw new ApiException(StatusCodes.Status413PayloadTooLarge, $"larger than the limit of {max / 1024 / 1024} MB");
        return buffer.ToArray();
    }
}

/// <summary>A sampled frame of a tried video: its time, size, the frame (base64 JPEG) and the boxes in its pixels.</summary>
public sealed record DetectedFrameDto(long TimeMs, int Width, int Height, string Image, IReadOnlyList<BoxDto> Boxes);

/// <summary>A detector's boxes on the sampled frames of a tried video.</summary>
public sealed record DetectVideoTryDto(string Run, IReadOnlyList<DetectedFrameDto> Frames);

/// <summary>A detector's boxes on a tried picture, in the picture's pixels (after EXIF orientation).</summary>
public sealed record DetectTryDto(string Run, int Width, int Height, IReadOnlyList<BoxDto> Boxes);

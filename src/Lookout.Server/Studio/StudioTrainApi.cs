using System.Text.Json;
using Lookout.Core;
using Lookout.Core.Pipelines.DataIssues;
using Lookout.Core.Pipelines.Explain;
using Lookout.Core.Runs;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Fixes;
using Lookout.Core.Studio.Jobs;
using Lookout.Core.Studio.Results;
using Lookout.Core.Studio.Serving;
using Lookout.Core.Studio.Walkthroughs;
using Lookout.Core.Evaluation.Walkthroughs;
using Lookout.Core.Inference;
using Lookout.Server.Api;
using Lookout.Server.Models;
using Lookout.Server.Studio.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using static Lookout.Server.Studio.StudioApi;

namespace Lookout.Server.Studio;

/// <summary>The studio's second half: training jobs, run results, one-click fixes with undo, and promotion to serving.</summary>
public static class StudioTrainApi
{
    public static IEndpointRouteBuilder MapStudioTrainApi(this IEndpointRouteBuilder app, ILogger log)
    {
        var g = app.MapGroup("/v1/projects/{project}").WithErrors(ErrorStyle.Envelope, log).WithTags("studio");

        g.MapGet("/estimate", async (string project, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project);
            await p.Scanner.ScanAsync(ct); // counts what the folder holds now (files may have been added outside the studio)
            return Ok(TrainEstimator.For(p.Project, p.Jobs));
        }).WithSummary("How long quick (head on cached embeddings) and better (fine-tune) training should take now, and what the guess rests on");

        g.MapPost("/jobs", (string project, TrainJobRequest body, StudioHost studio, TrainJobRunner runner) =>
        {
            var mode = (body.Mode ?? "quick").ToLowerInvariant() switch
            {
                "quick" => JobMode.Quick,
                "better" => JobMode.Better,
                _ => throw new ApiException(StatusCodes.Status400BadRequest, "mode must be quick or better"),
            };
            return Ok(JobDto.Of(runner.Enqueue(studio.Open(project), mode, body.Epochs)));
        }).WithSummary("Start training in the background (queued behind the project's running job): quick = head on cached embeddings, better = fine-tune");
        g.MapGet("/jobs", (string project, StudioHost studio) => Ok(studio.Open(project).Jobs.List().Select(JobDto.Of).ToList()))
            .WithSummary("Training jobs, newest first");
        g.MapGet("/jobs/{id:long}", (string project, long id, StudioHost studio) => Ok(JobDto.Of(Job(studio.Open(project), id))))
            .WithSummary("One training job");
        g.MapGet("/jobs/{id:long}/events", (string project, long id, long? after, StudioHost studio) =>
        {
            var p = studio.Open(project);
            var job = Job(p, id);
            return Ok(new JobEventsDto(JobDto.Of(job), p.Jobs.Events(id, after ?? 0).Select(JobEventDto.Of).ToList()));
        }).WithSummary("A job's events after seq 'after' (progress with ETA, epoch metrics, messages, warnings, state changes): poll for live progress");
        g.MapPost("/jobs/{id:long}/cancel", (string project, long id, StudioHost studio, TrainJobRunner runner) =>
        {
            var p = studio.Open(project);
            runner.Cancel(p, id);
            return Ok(JobDto.Of(Job(p, id)));
        }).WithSummary("Cancel a queued or running job (a cancelled run is not resumed)");

        g.MapGet("/runs", (string project, StudioHost studio) =>
        {
            var p = studio.Open(project).Project;
            var serving = Promotion.Current(p).Select(c => c.Current).ToList();
            return Ok(new RunStore(p.Workspace.RunsDir).List().Select(r => new RunRowDto(r.Id, r.Created, r.Backbone, r.Classes, r.HasModel,
                r.Epochs, r.BestValAccuracy, r.TestAccuracy, r.TestCount, r.State.ToString().ToLowerInvariant(),
                serving.Where(s => s.Run == r.Id).Select(s => s.Name).ToList(), r.Task, r.TestMap50, r.TestMap50To95)).Reverse().ToList());
        }).WithSummary("The project's runs, newest first, with the model names each one serves");
        g.MapGet("/runs/{run}", async (string project, string run, StudioHost studio, CancellationToken ct) =>
            Ok(await RunResultsReader.ReadAsync(studio.Open(project).Project, run, ct)))
            .WithSummary("A run's results from its folder: manifest, options, epochs, per-class metrics with intervals, confusion matrix, top losses, open-set check");
        g.MapGet("/runs/{run}/items", async (string project, string run, string? actual, string? predicted, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project).Project;
            var cell = await RunResultsReader.CellAsync(p, run, actual, predicted, ct);
            return Ok(Predicted(p, cell));
        }).WithSummary("The test pictures behind a confusion-matrix cell (actual= row, predicted= column; either alone for a whole row or column)");
        g.MapGet("/runs/{run}/gradcam/{id:long}", async (string project, string run, long id, string? @class, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project).Project;
            var folder = RunResultsReader.Open(p, run);
            var item = ItemQuery.ByIds(p, [id]).FirstOrDefault() ?? throw new StudioException($"no item {id}", StudioProblem.NotFound);
            var file = ItemQuery.FileOf(p, item.Sha256) ?? throw new StudioException($"item {id} has no readable file", StudioProblem.NotFound);
            Directory.CreateDirectory(p.TempDir);
            var overlay = Path.Combine(p.TempDir, $"gradcam-{Guid.NewGuid():N}.png");
            try
            {
                var r = await ExplainPipeline.RunAsync(new ExplainRequest(folder.ModelPath, file) { Class = @class, OverlayPath = overlay }, ct: ct);
                var png = await File.ReadAllBytesAsync(r.Overlay, ct);
                return Results.Bytes(png, "image/png");
            }
            catch (LookoutException e) { throw new StudioException(e.Message); }
            finally { File.Delete(overlay); }
        }).WithSummary("Grad-CAM overlay (PNG) of a picture under a run's model: which pixels drove the score of class= (default: the predicted one)")
          .Produces(200, contentType: "image/png");
        g.MapGet("/compare", (string project, string a, string b, StudioHost studio) =>
        {
            var p = studio.Open(project).Project;
            return Ok(new CompareDto(RunComparer.Compare(RunResultsReader.Open(p, a), RunResultsReader.Open(p, b)), RunResultsReader.Diff(p, a, b)));
        }).WithSummary("Two runs side by side: what changed in the data (pictures per split, classes, fixes made in between), the options, and the metrics");
        g.MapPost("/issues", async (string project, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project);
            await p.Scanner.ScanAsync(ct);
            var outcome = await DataIssuesPipeline.RunAsync(new DataIssuesRequest { DataDir = p.Project.DataDir, Workspace = p.Project.Workspace, Backbone = p.Project.Backbone }, ct: ct);
            var threshold = p.Project.BlurThreshold;
            var bySha = ItemQuery.List(p.Project, ItemView.All).GroupBy(i => i.Sha256).ToDictionary(g => g.Key, g => ItemDto.Of(g.First(), threshold));
            var byPath = p.Project.Datasets.Snapshot().GroupBy(i => i.Path).ToDictionary(g => g.Key, g => g.First().Sha256);
            ItemDto? Item(string path) => byPath.TryGetValue(path, out var sha) ? bySha.GetValueOrDefault(sha) : null;
            var r = outcome.Report;
            return Ok(new IssuesDto(
                r.SuspectLabels.Select(s => new SuspectDto(Item(s.Path)!, s.Label, s.Suggested, Math.Round(s.GivenProbability, 3), Math.Round(s.SuggestedProbability, 3))).Where(s => s.Item is not null).ToList(),
                r.NearDuplicates.Select(d => new PairDto(Item(d.PathA)!, Item(d.PathB)!, d.SplitA, d.SplitB, Math.Round(d.Similarity, 3))).Where(d => d.A is not null && d.B is not null).ToList(),
                r.Outliers.Select(o => new OutlierDto(Item(o.Path)!, o.Label, Math.Round(o.RobustZ, 2))).Where(o => o.Item is not null).ToList()));
        }).WithSummary("Find data issues now: suspect labels (confident learning), near-duplicates across splits, outliers; each with the picture's id");
        g.MapPost("/runs/{run}/walkthroughs/{id:long}", async (string project, string run, long id, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project).Project;
            var folder = RunResultsReader.Open(p, run);
            var w = WalkthroughStore.Get(p, id);
            using var classifier = ClassifierModel.Load(folder.ModelPath);
            var e = await WalkthroughEvaluator.EvaluateAsync(classifier, WalkthroughStore.PathOf(p, w), w.Segments, ct: ct);
            return Ok(new WalkthroughEvalDto(run, e.Frames, e.Scored, e.Accuracy, e.SmoothedAccuracy, e.PersistFrames,
                e.PerClass.Select(c => new ClassScoreDto(c.Label, c.Frames, c.Accuracy, c.Smoothed)).ToList(), []));
        }).WithSummary("Score this run's model on a walk-through video (per frame and smoothed)");

        g.MapPost("/fixes", async (string project, FixRequest body, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project);
            var action = (body.Action ?? "").ToLowerInvariant() switch
            {
                "relabel" => FixAction.Relabel,
                "none" => FixAction.None,
                "delete" => FixAction.Delete,
                "suspect" => FixAction.Suspect,
                _ => throw new ApiException(StatusCodes.Status400BadRequest, "action must be relabel, none, delete or suspect"),
            };
            return Ok(await FixJournal.ApplyAsync(p.Project, action, Ids(body.Ids), body.Label, body.Run, p.Scanner.ScanAsync, ct));
        }).WithSummary("One-click fix of pictures (bulk: many ids): relabel to label=, 'none of these' (the _none background class), delete (to the workspace trash), or 'suspect, ignore' (excluded); recorded for undo");
        g.MapGet("/fixes", (string project, StudioHost studio) => Ok(FixJournal.List(studio.Open(project).Project)))
            .WithSummary("The fix journal, newest first");
        g.MapPost("/fixes/{id:long}/undo", async (string project, long id, StudioHost studio, CancellationToken ct) =>
        {
            var p = studio.Open(project);
            return Ok(await FixJournal.UndoAsync(p.Project, id, p.Scanner.ScanAsync, ct));
        }).WithSummary("Undo a fix: every picture goes back to its label, exclusion and place before it");

        g.MapPost("/runs/{run}/promote", async (string project, string run, PromoteRequest body, StudioHost studio, ModelRegistry registry, Lookout.Server.Vision.VisionModels vision, CancellationToken ct) =>
        {
            var p = studio.Open(project).Project;
            var record = await Promotion.PromoteAsync(p, run, string.IsNullOrWhiteSpace(body.Name) ? null : body.Name, ct);
            var path = Promotion.PathOf(p, record.Name);
            // A detector promoted over a classifier of the same name: the classifier stops answering /v1/classify.
            if (Lookout.Core.Inference.Detectors.TrainedDetectorModel.IsDetectorFile(path) && registry.PathOf(record.Name) == path) await registry.RemoveAsync(record.Name);
            try { ServingLoader.Serve(record.Name, path, registry, vision); }
            catch (Exception e) when (e is InvalidDataException or IOException) { throw new StudioException($"the model did not load: {e.Message}", StudioProblem.Conflict); }
            return Ok(record);
        }).WithSummary("Serve this run's model on /v1/classify, or a detector run's on /v1/detect?model=name (and the DeepStack custom route) under name (default: the project's name); hot-swapped, recorded");
        g.MapGet("/serving", (string project, StudioHost studio) =>
        {
            var p = studio.Open(project).Project;
            return Ok(new ServingDto(Promotion.Current(p).Select(c => c.Current).ToList(), Promotion.History(p)));
        }).WithSummary("Which run serves under which name now, and the promotion history (the previous run is the way back)");
        return app;
    }

    private static TrainJob Job(ProjectServices p, long id) => p.Jobs.Get(id) ?? throw new StudioException($"no job {id}", StudioProblem.NotFound);

    private static List<PredictedItemDto> Predicted(StudioProject p, IReadOnlyList<ItemPrediction> predictions)
    {
        var items = ItemQuery.List(p, ItemView.All).GroupBy(i => i.Sha256).ToDictionary(g => g.Key, g => g.First());
        var threshold = p.BlurThreshold;
        return predictions.Where(x => items.ContainsKey(x.Sha)).Select(x => new PredictedItemDto(ItemDto.Of(items[x.Sha], threshold), x.Truth, x.Predicted, x.Score, x.TrueProbability, x.Unknown)).ToList();
    }
}

public sealed record TrainJobRequest(string? Mode, int? Epochs);

public sealed record JobDto(long Id, string Mode, string State, string? Run, DateTimeOffset Created, DateTimeOffset? Started, DateTimeOffset? Finished, string? Error, int Attempts)
{
    public static JobDto Of(TrainJob j) => new(j.Id, j.Mode.ToString().ToLowerInvariant(), j.State.ToString().ToLowerInvariant(), j.Run, j.Created, j.Started, j.Finished, j.Error, j.Attempts);
}

public sealed record JobEventDto(long Seq, DateTimeOffset Time, string Kind, JsonElement Data)
{
    public static JobEventDto Of(JobEvent e)
    {
        using var doc = JsonDocument.Parse(e.Json);
        return new(e.Seq, e.Time, e.Kind, doc.RootElement.Clone());
    }
}

public sealed record JobEventsDto(JobDto Job, IReadOnlyList<JobEventDto> Events);

public sealed record RunRowDto(string Id, DateTimeOffset Created, string? Backbone, int Classes, bool HasModel, int Epochs, double? BestValAccuracy,
    double? TestAccuracy, int? TestCount, string State, IReadOnlyList<string> Serves, string Task, double? TestMap50, double? TestMap50To95);

public sealed record PredictedItemDto(ItemDto Item, string Truth, string Predicted, double Score, double TrueProbability, bool Unknown);

public sealed record CompareDto(RunComparison Runs, DataDiff Data);

public sealed record SuspectDto(ItemDto Item, string Label, string Suggested, double GivenProbability, double SuggestedProbability);

public sealed record PairDto(ItemDto A, ItemDto B, string SplitA, string SplitB, double Similarity);

public sealed record OutlierDto(ItemDto Item, string Label, double RobustZ);

public sealed record IssuesDto(IReadOnlyList<SuspectDto> Suspects, IReadOnlyList<PairDto> CrossSplitDuplicates, IReadOnlyList<OutlierDto> Outliers);

public sealed record FixRequest(string? Action, IReadOnlyList<long>? Ids, string? Label, string? Run);

public sealed record PromoteRequest(string? Name);

public sealed record ServingDto(IReadOnlyList<ServingRecord> Current, IReadOnlyList<ServingRecord> History);

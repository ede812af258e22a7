using Lookout.Core.Datasets;
using Lookout.Core.Evaluation.Issues;
using Lookout.Core.IO;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Pipelines.Steps;

namespace Lookout.Core.Pipelines.DataIssues;

/// <summary>Find a folder's data issues with a backbone's embeddings; the CSV goes to <see cref="CsvPath"/> (default <c>&lt;workspace&gt;/issues.csv</c>).</summary>
public sealed record DataIssuesRequest
{
    public required string DataDir { get; init; }
    public required Workspace Workspace { get; init; }
    public string Backbone { get; init; } = BackboneResolver.DefaultName;
    public DataIssuesOptions Options { get; init; } = new();
    public string? CsvPath { get; init; }
    public ScanOptions Scan { get; init; } = new();
}

/// <summary>The report and where it was written (the CSV, and <c>issues.json</c> that the run report reads).</summary>
public sealed record DataIssuesOutcome(DataIssuesReport Report, string CsvPath, string JsonPath);

/// <summary>
/// <c>data issues</c>: scan, embed every usable item through the cache, then suspect labels (confident learning on
/// out-of-fold probabilities), near-duplicates across splits (leakage) and outliers.
/// </summary>
public static class DataIssuesPipeline
{
    public static async Task<DataIssuesOutcome> RunAsync(DataIssuesRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        observer ??= NullPipelineObserver.Instance;
        request.Options.Validate();
        var service = new DatasetService(request.Workspace);
        ScanStep.WarnProblems(await ScanStep.RunAsync(service, request.DataDir, request.Scan, observer, ct), observer);
        var items = ScanStep.UsableItems(service, request.DataDir);
        var (embedded, _) = await EmbedStep.RunAsync(items, BackboneResolver.Resolve(request.Backbone), request.Workspace, observer, ct);
        observer.OnMessage(PipelinePhase.Analyze, $"cross-validating a head on {embedded.Count} embeddings ({request.Options.Folds} folds)");
        var report = DataIssuesFinder.Analyze(embedded, request.Options, ct: ct);

        var csvPath = request.CsvPath ?? Path.Combine(request.Workspace.EnsureCreated().Root, "issues.csv");
        AtomicFile.WriteAllText(csvPath, DataIssuesCsv.Render(report));
        DataIssuesJson.Write(request.Workspace, report);
        return new DataIssuesOutcome(report, csvPath, DataIssuesJson.PathIn(request.Workspace));
    }
}

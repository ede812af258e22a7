using Lookout.Core.Datasets;
using Lookout.Core.IO;
using Lookout.Core.Runs;
using Lookout.Core.Evaluation.Issues;

namespace Lookout.Core.Pipelines.Report;

/// <summary>Write one run's HTML report, with the workspace's images and its last data-issues report.</summary>
public sealed record RunReportRequest(Workspace Workspace, RunFolder Run)
{
    public RunReportOptions Options { get; init; } = new();
}

/// <summary>Where the report was written and what it holds (<see cref="RunReportData.Notes"/> says which sections are missing and why).</summary>
public sealed record RunReportOutcome(string Path, RunReportData Data);

/// <summary>The <c>report</c> verb: collect, render, write <c>runs/&lt;id&gt;/report.html</c> atomically.</summary>
public static class RunReport
{
    public static Task<RunReportOutcome> WriteAsync(RunReportRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        var items = File.Exists(request.Workspace.CatalogPath) ? new DatasetService(request.Workspace).Snapshot() : [];
        return WriteAsync(request.Run, items, DataIssuesJson.TryRead(request.Workspace), request.Options, ct);
    }

    public static async Task<RunReportOutcome> WriteAsync(RunFolder run, IReadOnlyList<LabeledImage> items, DataIssuesReport? issues,
        RunReportOptions? options = null, CancellationToken ct = default)
    {
        var data = await RunReportCollector.CollectAsync(run, items, issues, options, ct).ConfigureAwait(false);
        AtomicFile.WriteAllText(run.ReportPath, HtmlReportRenderer.Render(data));
        return new RunReportOutcome(run.ReportPath, data);
    }
}

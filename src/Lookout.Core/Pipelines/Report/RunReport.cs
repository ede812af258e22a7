using Lookout.Core.Datasets;
using Lookout.Core.IO;
using Lookout.Core.Runs;
using Lookout.Core.Evaluation.Issues;

namespace Lookout.Core.Pipelines.Report;

/// <summary>The <c>report</c> verb: collect, render, write <c>runs/&lt;id&gt;/report.html</c> atomically.</summary>
public static class RunReport
{
    public static async Task<(string Path, RunReportData Data)> WriteAsync(RunFolder run, IReadOnlyList<LabeledImage> items, DataIssuesReport? issues,
        RunReportOptions? options = null, CancellationToken ct = default)
    {
        var data = await RunReportCollector.CollectAsync(run, items, issues, options, ct).ConfigureAwait(false);
        AtomicFile.WriteAllText(run.ReportPath, HtmlReportRenderer.Render(data));
        return (run.ReportPath, data);
    }
}

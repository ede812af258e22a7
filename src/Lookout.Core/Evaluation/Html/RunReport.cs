using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Issues;
using Lookout.Core.IO;
using Lookout.Core.Runs;

namespace Lookout.Core.Evaluation.Html;

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

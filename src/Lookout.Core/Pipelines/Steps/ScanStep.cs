using Lookout.Core.Datasets;
using Lookout.Core.IO;

namespace Lookout.Core.Pipelines.Steps;

/// <summary>The scan at the start of every data pipeline: catalog the folder (incremental), then its usable items.</summary>
internal static class ScanStep
{
    public static Task<ScanResult> RunAsync(DatasetService service, string dataDir, ScanOptions options, IPipelineObserver observer, CancellationToken ct) =>
        service.ScanAsync(dataDir, options, new SyncProgress<ScanProgress>(p =>
        {
            observer.OnProgress(new PhaseProgress(PipelinePhase.Scan, PhaseProgress.Files, p.FilesScanned, p.FilesTotal));
            if (p.FramesExtracted > 0)
                observer.OnProgress(new PhaseProgress(PipelinePhase.Scan, PhaseProgress.Frames, p.FramesExtracted, p.FramesExtracted));
        }), ct);

    /// <summary>The files a scan could not use, with their reasons, as warnings (the first few; the rest are in <c>data stats</c>).</summary>
    public static void WarnProblems(ScanResult scan, IPipelineObserver observer)
    {
        foreach (var p in scan.Problems.Take(ProblemsShown)) observer.OnWarning(PipelinePhase.Scan, $"{FileNames.Printable(p.Path)}: {p.Reason}");
        if (scan.Problems.Count > ProblemsShown)
            observer.OnWarning(PipelinePhase.Scan, $"... and {scan.Problems.Count - ProblemsShown} more (see 'lookout data stats')");
    }

    private const int ProblemsShown = 20;

    /// <summary>The catalog's usable items, or a clear error when the folder had none (wrong layout, all unreadable).</summary>
    public static IReadOnlyList<LabeledImage> UsableItems(DatasetService service, string dataDir)
    {
        var items = service.Snapshot();
        return items.Count > 0 ? items : throw new LookoutException($"no usable images found in {dataDir} (expected one sub-folder per label)");
    }

    /// <summary>One line about a scan, for progress logs (the <c>data scan</c> verb prints its own table).</summary>
    public static string Summary(ScanResult r, Workspace workspace) =>
        $"scanned in {r.Elapsed.TotalSeconds:0.0}s: {r.Added} added, {r.Updated} updated, {r.Unchanged} unchanged, " +
        $"{r.FramesExtracted} video frames, {r.Unreadable} unreadable or skipped, {r.Missing} missing  (workspace {workspace.Root})";
}

/// <summary>IProgress that reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool, out of order).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

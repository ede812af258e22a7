using Lookout.Core.Datasets;

namespace Lookout.Core.Studio.Import;

/// <summary>
/// New files enter the catalog through the same incremental <c>data scan</c> the CLI runs, so an uploaded photo or
/// video ends up exactly as scanning the folder would make it (hash, size, frames of videos, grouping). Many
/// uploads arriving together share one scan: a caller whose request came before a scan started is served by it.
/// </summary>
public sealed class ScanCoalescer(StudioProject project, ScanOptions? options = null)
{
    private long _requested;
    private long _done;

    /// <summary>Ensures a scan that started after this call has finished. Must be called WITHOUT holding the project gate.</summary>
    public async Task ScanAsync(CancellationToken ct = default)
    {
        long ticket = Interlocked.Increment(ref _requested);
        await project.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _done) >= ticket) return;
            long upTo = Volatile.Read(ref _requested);
            await project.Datasets.ScanAsync(project.DataDir, options, ct: ct).ConfigureAwait(false);
            Volatile.Write(ref _done, upTo);
        }
        finally { project.Gate.Release(); }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Lookout.Core.Imaging;

namespace Lookout.Core.Models;

/// <summary>
/// Decode → model → in-order results for many image files, with every stage running at once:
/// <list type="bullet">
/// <item>decode workers (one per core by default) each decode whole files on their own thread: a JPEG's entropy
/// decode is sequential, so images, not pixels, are what parallelise;</item>
/// <item>one (or more) inference threads take whatever decoded images are waiting, up to a batch, and never wait
/// for a batch to fill, so a slow decode never leaves the model idle and a fast one still gets full batches;</item>
/// <item>the caller gets outcomes in input order.</item>
/// </list>
/// Everything is bounded: at most <see cref="Window"/> files are in flight (taken but not yet handed to the caller),
/// and at most two batches of decoded pixels wait for the model, so memory stays flat for any number of files and a
/// caller that stops early stops the workers. Work runs on dedicated threads, not the thread pool, because it is
/// long synchronous CPU work (a 2-core pool would otherwise be starved for the caller's own continuations).
/// </summary>
internal sealed class ImageFilePipeline
{
    private readonly OnnxImageRunner _runner;
    private readonly OnnxRunnerOptions _options;
    private readonly int _decoders;
    private readonly int _inferers;

    public ImageFilePipeline(OnnxImageRunner runner, OnnxRunnerOptions options)
    {
        _runner = runner;
        _options = options;
        _decoders = options.DecodeParallelism > 0 ? options.DecodeParallelism : Environment.ProcessorCount;
        _inferers = Math.Max(1, options.InferenceWorkers);
        Window = options.BatchSize * (2 + _inferers) + _decoders;
    }

    /// <summary>Files taken but not yet yielded: decoding, waiting for the model, in a forward pass, or reordered.</summary>
    public int Window { get; }

    public IAsyncEnumerable<ImageOutcome> RunAsync(IReadOnlyList<string> paths, Func<IReadOnlyList<RgbImage>, (float[][] Main, float[][]? Extra)> infer,
        IProgress<BatchProgress>? progress, CancellationToken ct) =>
        RunAsync(paths, i => ImageLoader.Load(paths[i], _runner.Spec, _options.Limits), infer, progress, ct);

    /// <summary>
    /// The same pipeline over images already in memory (a bulk-job batch): <paramref name="load"/> decodes the i-th
    /// one; <paramref name="names"/> are what outcomes are reported against.
    /// </summary>
    public async IAsyncEnumerable<ImageOutcome> RunAsync(IReadOnlyList<string> names, Func<int, RgbImage> load,
        Func<IReadOnlyList<RgbImage>, (float[][] Main, float[][]? Extra)> infer,
        IProgress<BatchProgress>? progress, [EnumeratorCancellation] CancellationToken ct)
    {
        var paths = names;
        if (paths.Count == 0) yield break;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var window = new SemaphoreSlim(Window, Window);
        using var decoded = new BlockingCollection<Decoded>(2 * _options.BatchSize);
        var done = Channel.CreateUnbounded<ImageOutcome>(new UnboundedChannelOptions { SingleReader = true }); // bounded by the window
        var cursor = new StrongBox<int>(-1); // the last file index a decoder took

        var decoders = Enumerable.Range(0, Math.Min(_decoders, paths.Count))
            .Select(_ => Dedicated(() => Decode(paths, load, cursor, window, decoded, done.Writer, stop.Token))).ToArray();
        var allDecoded = Task.WhenAll(decoders).ContinueWith(_ => decoded.CompleteAdding(), TaskScheduler.Default);
        var inferers = Enumerable.Range(0, _inferers).Select(_ => Dedicated(() => Infer(paths, decoded, infer, done.Writer, stop.Token))).ToArray();
        var workers = Task.WhenAll([.. decoders, .. inferers, allDecoded]);
        _ = workers.ContinueWith(t =>
        {
            if (t.IsFaulted) stop.Cancel(); // one failing stage stops the others
            done.Writer.TryComplete(t.Exception?.GetBaseException() is { } e and not OperationCanceledException ? e : null);
        }, TaskScheduler.Default);

        var reorder = new Dictionary<int, ImageOutcome>();
        var clock = Stopwatch.StartNew();
        int yielded = 0, failed = 0;
        try
        {
            await foreach (var outcome in done.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                reorder.Add(outcome.Index, outcome);
                while (reorder.Remove(yielded, out var ready))
                {
                    // Outcomes may already be waiting here: a cancelled caller gets none of them.
                    ct.ThrowIfCancellationRequested();
                    if (!ready.Ok) failed++;
                    yielded++;
                    window.Release();
                    yield return ready;
                    if (yielded % _options.BatchSize == 0 || yielded == paths.Count)
                        progress?.Report(new BatchProgress(yielded, paths.Count, failed, yielded / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
                }
            }
            ct.ThrowIfCancellationRequested();
            await workers.ConfigureAwait(false); // surfaces a worker's unexpected fault
            if (yielded != paths.Count) throw new InvalidOperationException($"pipeline ended after {yielded} of {paths.Count} files");
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            // No worker outlives the enumeration: a caller that stops early does not leave decoders running.
            try { await workers.ConfigureAwait(false); } catch (Exception) { /* already surfaced, or cancellation */ }
        }
    }

    private static Task Dedicated(Action body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static void Decode(IReadOnlyList<string> paths, Func<int, RgbImage> load, StrongBox<int> cursor, SemaphoreSlim window, BlockingCollection<Decoded> decoded,
        ChannelWriter<ImageOutcome> done, CancellationToken ct)
    {
        while (true)
        {
            window.Wait(ct);
            int i = Interlocked.Increment(ref cursor.Value);
            if (i >= paths.Count) return;
            RgbImage image;
            try { image = load(i); }
            catch (ImageDecodeException e) { done.TryWrite(new ImageOutcome(i, paths[i], null, e.Reason)); continue; }
            // One file must never take the run down: a decoder bug is this file's error, named so it can be reported.
            catch (Exception e) when (e is not OperationCanceledException)
            {
                done.TryWrite(new ImageOutcome(i, paths[i], null, $"could not be decoded ({e.GetType().Name}: {e.Message})"));
                continue;
            }
            decoded.Add(new Decoded(i, image), ct);
        }
    }

    private void Infer(IReadOnlyList<string> paths, BlockingCollection<Decoded> decoded, Func<IReadOnlyList<RgbImage>, (float[][] Main, float[][]? Extra)> infer,
        ChannelWriter<ImageOutcome> done, CancellationToken ct)
    {
        var batch = new List<Decoded>(_options.BatchSize);
        foreach (var first in decoded.GetConsumingEnumerable(ct))
        {
            batch.Clear();
            batch.Add(first);
            while (batch.Count < _options.BatchSize && decoded.TryTake(out var more)) batch.Add(more);
            var (main, extra) = infer(batch.Select(d => d.Image).ToList());
            for (int k = 0; k < batch.Count; k++)
            {
                int i = batch[k].Index;
                done.TryWrite(new ImageOutcome(i, paths[i], main[k], null) { Extra = extra?[k] });
            }
        }
    }

    private sealed record Decoded(int Index, RgbImage Image);
}

using Lookout.Core.Imaging;
using Lookout.Server.Api;
using Lookout.Server.Metrics;
using Lookout.Server.Models;

namespace Lookout.Server.Batching;

/// <param name="Workers">Forward passes of one model that may run at once (each on its own thread, taking its own batch).</param>
public sealed record BatchingOptions(int MaxBatchSize, TimeSpan MaxWait, int QueueCapacity, int RetryAfterSeconds, int Workers = 1);

/// <summary>
/// Coalesces concurrent requests for one model into batched forward passes, adaptively (the policy is
/// <see cref="AdaptiveBatchQueue{T}"/>): when the model is free the next pass takes exactly the requests already
/// waiting (up to the batch limit), so a lone request never waits for company and a burst is batched because it
/// queued up behind the pass before it. (<see cref="BatchingOptions.MaxWait"/> can add a deliberate wait, off by
/// default: any wait is time the model sits idle.) Requests arrive decoded (the caller decodes on its own thread), so
/// a batch only holds model-sized images and the model's thread never decodes. The queue is bounded: when it is full
/// a request fails at once with <see cref="ServerOverloadedException"/> (503) instead of waiting without limit; a
/// request whose caller gives up leaves the queue at once. Each queued item carries the model version it was decoded
/// for, so a hot swap never mixes versions in a batch. Forward passes run on the batcher's own thread, never on a
/// thread-pool thread: a 2-core pool blocked for a whole pass would stall every other request's continuations.
/// With several workers (the server's default: one per core, each pass on one ONNX Runtime thread) passes run side by
/// side, so one slow pass never holds up the whole model: one batcher thread whose pass used every core was the
/// bottleneck (busy 93-97% of the time) and, on a shared machine, each of its multi-threaded ops waited for its slowest
/// thread.
/// </summary>
public sealed class MicroBatcher : IAsyncDisposable
{
    private readonly AdaptiveBatchQueue<Item> _queue;
    private readonly BatchingOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly Thread[] _workers;
    private int _running;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MicroBatcher(string modelName, BatchingOptions options, ServerMetrics metrics)
    {
        ModelName = modelName;
        _options = options;
        _metrics = metrics;
        _queue = new AdaptiveBatchQueue<Item>(options.QueueCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        _running = options.Workers;
        _workers = Enumerable.Range(0, options.Workers).Select(i => new Thread(Run) { IsBackground = true, Name = $"lookout-batcher-{modelName}-{i}" }).ToArray();
        foreach (var w in _workers) w.Start();
    }

    public string ModelName { get; }
    public int QueueDepth => _queue.Count;

    /// <summary>Fails fast with 503 when the queue is already full (a later <see cref="SubmitAsync"/> still re-checks).</summary>
    public void ThrowIfFull()
    {
        if (QueueDepth >= _options.QueueCapacity) throw Overloaded();
    }

    private ServerOverloadedException Overloaded() =>
        new($"model '{ModelName}' is busy ({_options.QueueCapacity} requests queued); retry shortly", _options.RetryAfterSeconds);

    /// <summary>Queues one decoded image for <paramref name="handle"/>'s model and returns its output row.</summary>
    public async Task<ModelRow> SubmitAsync(ModelHandle handle, RgbImage image, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var item = new Item(handle, image, new TaskCompletionSource<ModelRow>(TaskCreationOptions.RunContinuationsAsynchronously), ct, System.Diagnostics.Stopwatch.GetTimestamp());
        var ticket = _queue.TryAdd(item) ?? throw Overloaded();
        _metrics.SetQueueDepth(ModelName, QueueDepth);
        await using var registration = ct.Register(() =>
        {
            if (_queue.TryRemove(ticket)) _metrics.SetQueueDepth(ModelName, QueueDepth); // frees its place at once
            item.Result.TrySetCanceled(ct);
        });
        return await item.Result.Task.ConfigureAwait(false);
    }

    private void Run()
    {
        try
        {
            // Blocking waits are fine here: this is the batcher's own thread.
            while (Next() is { Count: > 0 } batch)
            {
                _metrics.SetQueueDepth(ModelName, QueueDepth);
                // A caller that gave up between the take and now has its answer (cancelled): don't spend a pass on it.
                var live = batch.Where(i => !i.Cancel.IsCancellationRequested).ToList();
                if (live.Count > 0) Execute(live);
            }
            if (Interlocked.Decrement(ref _running) == 0) _stopped.TrySetResult();
        }
        catch (Exception e)
        {
            _stopped.TrySetException(e);
        }
    }

    /// <summary>What is waiting (blocking only while nothing is); only a configured MaxWait then waits for more.</summary>
    private List<Item> Next()
    {
        var batch = _queue.TakeBatch(_options.MaxBatchSize).ToList();
        if (batch.Count == 0 || _options.MaxWait <= TimeSpan.Zero) return batch;
        var deadline = DateTime.UtcNow + _options.MaxWait;
        while (batch.Count < _options.MaxBatchSize)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !_queue.WaitForItem(left)) break;
            batch.AddRange(_queue.TryTakeBatch(_options.MaxBatchSize - batch.Count));
        }
        return batch;
    }

    private void Execute(List<Item> batch)
    {
        // Normally one group; two only when a hot swap happened while requests were queued.
        foreach (var group in batch.GroupBy(i => i.Handle))
        {
            var items = group.ToList();
            _metrics.ObserveBatch(ModelName, items.Count);
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var i in items) _metrics.ObserveQueueWait(ModelName, System.Diagnostics.Stopwatch.GetElapsedTime(i.Queued, started));
            try
            {
                var rows = group.Key.Model.Predict(items.Select(i => i.Image).ToList());
                _metrics.ObserveForward(ModelName, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                if (rows.Count != items.Count)
                    throw new InvalidOperationException($"model returned {rows.Count} rows for {items.Count} images");
                for (int i = 0; i < items.Count; i++) items[i].Result.TrySetResult(rows[i]);
            }
            catch (Exception e)
            {
                var failure = new InferenceFailedException(ModelName, e);
                foreach (var i in items) i.Result.TrySetException(failure);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Complete();
        await _stopped.Task.ConfigureAwait(false); // queued requests are still answered: they hold their model version
    }

    private sealed record Item(ModelHandle Handle, RgbImage Image, TaskCompletionSource<ModelRow> Result, CancellationToken Cancel, long Queued);
}

/// <summary>The forward pass threw; the cause is logged, the client gets a generic 500.</summary>
public sealed class InferenceFailedException(string model, Exception inner)
    : Exception($"Inference failed for model '{model}'.", inner);

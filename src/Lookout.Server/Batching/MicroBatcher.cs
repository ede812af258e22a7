using System.Diagnostics;
using System.Threading.Channels;
using Lookout.Core.Imaging;
using Lookout.Server.Api;
using Lookout.Server.Metrics;
using Lookout.Server.Models;

namespace Lookout.Server.Batching;

public sealed record BatchingOptions(int MaxBatchSize, TimeSpan MaxWait, int QueueCapacity, int RetryAfterSeconds);

/// <summary>
/// Coalesces concurrent requests for one model into batched forward passes, adaptively: when the model is free the
/// next pass takes exactly the requests already waiting (up to the batch limit), so a lone request never waits for
/// company and a burst is batched because it queued up behind the pass before it. (<see cref="BatchingOptions.MaxWait"/>
/// can add a deliberate wait, off by default: any wait is time the model sits idle.) The queue is bounded: when it
/// is full a request fails at once with <see cref="ServerOverloadedException"/> (503) instead of waiting without
/// limit. Each queued item carries the model version it was decoded for, so a hot swap never mixes versions in a
/// batch. Forward passes run on the batcher's own thread, never on a thread-pool thread: a 2-core pool blocked for
/// a whole pass would stall every other request's continuations.
/// </summary>
public sealed class MicroBatcher : IAsyncDisposable
{
    private readonly Channel<Item> _queue;
    private readonly BatchingOptions _options;
    private readonly ServerMetrics _metrics;
    private readonly Task _worker;

    public MicroBatcher(string modelName, BatchingOptions options, ServerMetrics metrics)
    {
        ModelName = modelName;
        _options = options;
        _metrics = metrics;
        _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails fast; nobody awaits WriteAsync
            SingleReader = true,
        });
        _worker = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public string ModelName { get; }
    public int QueueDepth => _queue.Reader.Count;

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
        var item = new Item(handle, image, new TaskCompletionSource<ModelRow>(TaskCreationOptions.RunContinuationsAsynchronously), ct);
        if (!_queue.Writer.TryWrite(item))
            throw Overloaded();
        _metrics.SetQueueDepth(ModelName, QueueDepth);
        await using var registration = ct.Register(() => item.Result.TrySetCanceled(ct));
        return await item.Result.Task;
    }

    private void Run()
    {
        var reader = _queue.Reader;
        var batch = new List<Item>(_options.MaxBatchSize);
        // Blocking waits are fine here: this is the batcher's own thread.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            Fill(reader, batch);
            _metrics.SetQueueDepth(ModelName, QueueDepth);
            if (batch.Count > 0) Execute(batch);
        }
    }

    /// <summary>Takes what is queued; only with a configured MaxWait does it then wait (from the first item) for more.</summary>
    private void Fill(ChannelReader<Item> reader, List<Item> batch)
    {
        var clock = Stopwatch.StartNew();
        while (batch.Count < _options.MaxBatchSize)
        {
            if (reader.TryRead(out var item))
            {
                if (!item.Cancel.IsCancellationRequested) batch.Add(item);
                else item.Result.TrySetCanceled(item.Cancel);
                continue;
            }
            var left = _options.MaxWait - clock.Elapsed;
            if (batch.Count == 0 || left <= TimeSpan.Zero) break;
            using var timeout = new CancellationTokenSource(left);
            try
            {
                if (!reader.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult()) break;
            }
            catch (OperationCanceledException) { break; }
        }
    }

    private void Execute(List<Item> batch)
    {
        // Normally one group; two only when a hot swap happened while requests were queued.
        foreach (var group in batch.GroupBy(i => i.Handle))
        {
            var items = group.ToList();
            _metrics.ObserveBatch(ModelName, items.Count);
            try
            {
                var rows = group.Key.Model.Predict(items.Select(i => i.Image).ToList());
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
        _queue.Writer.TryComplete();
        await _worker; // queued requests are still answered: they hold their model version
    }

    private sealed record Item(ModelHandle Handle, RgbImage Image, TaskCompletionSource<ModelRow> Result, CancellationToken Cancel);
}

/// <summary>The forward pass threw; the cause is logged, the client gets a generic 500.</summary>
public sealed class InferenceFailedException(string model, Exception inner)
    : Exception($"Inference failed for model '{model}'.", inner);

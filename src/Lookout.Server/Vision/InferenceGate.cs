using Lookout.Server.Api;
using Lookout.Server.Metrics;

namespace Lookout.Server.Vision;

/// <summary>
/// Bounds concurrent calls into a batch-1 model (detector, face models): at most <c>concurrency</c> run, at most
/// <c>queueCapacity</c> wait; beyond that a request fails at once with 503 + Retry-After, as the classifier's
/// micro-batcher does, and a wait longer than the request timeout also becomes 503 instead of hanging.
/// </summary>
public sealed class InferenceGate(string name, int concurrency, int queueCapacity, int retryAfterSeconds, TimeSpan timeout, ServerMetrics metrics)
    : IDisposable
{
    private readonly SemaphoreSlim _slots = new(concurrency, concurrency);
    private int _waiting;

    public string Name { get; } = name;
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Runs <paramref name="work"/> (CPU-bound, synchronous) on its own thread once a slot is free.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _waiting) > queueCapacity)
        {
            Left();
            throw new ServerOverloadedException($"'{Name}' is busy ({queueCapacity} requests queued); retry shortly", retryAfterSeconds);
        }
        metrics.SetQueueDepth(Name, Waiting);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try { await _slots.WaitAsync(deadline.Token); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ServerOverloadedException($"'{Name}' did not start within {timeout.TotalSeconds:0.#} s; retry shortly", retryAfterSeconds);
        }
        finally { Left(); }

        // A dedicated thread, not a pool thread: a 100+ ms synchronous forward pass on the pool's few threads (2 on a
        // 2-core box) would stall every other request, /healthz included, until the pool grows.
        try { return await Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default); }
        finally { _slots.Release(); }
    }

    private void Left()
    {
        Interlocked.Decrement(ref _waiting);
        metrics.SetQueueDepth(Name, Waiting);
    }

    public void Dispose() => _slots.Dispose();
}

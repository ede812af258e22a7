using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;

namespace Lookout.Core.Watch;

/// <summary>
/// One analyzer serving several cameras. Each camera has one slot: a way to take its newest frame, called only when a
/// worker dispatches the camera, so a frame never goes stale waiting for its turn (the camera's pipeline drops the
/// older ones). A few worker threads (one per core by default) each take a share of the waiting cameras (all of
/// them split evenly between the workers, at most <c>maxBatch</c>, and with a pass budget at most the frames that
/// fit in it at the measured cost per frame) in round-robin order starting after the camera served last, and analyse
/// them in one <see cref="IFrameAnalyzer.AnalyzeMany"/> call (one forward pass when the model takes batches). So
/// cameras share forward passes, a busy camera can never starve a quiet one (every waiting camera is served before
/// any camera is served twice), a pass is short enough to keep frame latency bounded, and the number of passes
/// running at once is bounded by the workers, not by the number of cameras.
/// </summary>
internal sealed class SharedFrameScheduler : IDisposable
{
    private readonly IFrameAnalyzer _analyzer;
    private readonly int _maxBatch;
    private readonly Pending?[] _slots;
    private readonly double _budgetMs;
    private double _msPerFrame; // moving average of a pass's wall time per frame; 0 until the first pass
    private readonly object _lock = new(); // a monitor: the worker waits on it for frames
    private readonly Thread[] _workers;
    private int _start;
    private bool _stopping;

    /// <param name="workers">Passes that may run at once; 0 = one per core (never more than the cameras).</param>
    /// <param name="passBudget">
    /// Longest a pass should take: a pass takes at most the frames that fit at the measured wall time per frame (at
    /// least one). A frame waits for at most one running pass and then its own, so this bounds frame latency to about
    /// twice the budget. Null: only <paramref name="maxBatch"/> limits a pass.
    /// </param>
    public SharedFrameScheduler(IFrameAnalyzer analyzer, int cameras, int maxBatch, int workers = 0, TimeSpan? passBudget = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cameras, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _analyzer = analyzer;
        _maxBatch = maxBatch;
        _budgetMs = passBudget?.TotalMilliseconds ?? double.PositiveInfinity;
        _slots = new Pending?[cameras];
        int count = Math.Min(cameras, workers > 0 ? workers : Environment.ProcessorCount);
        _workers = Enumerable.Range(0, count).Select(i => new Thread(Run) { IsBackground = true, Name = $"lookout-watch-inference-{i}" }).ToArray();
        foreach (var w in _workers) w.Start();
    }

    /// <summary>Passes run so far and frames they analysed (frames / passes = the mean batch).</summary>
    public long Passes => Interlocked.Read(ref _passes);
    public long Frames => Interlocked.Read(ref _frames);
    private long _passes, _frames;

    /// <summary>Analyses <paramref name="frame"/> for <paramref name="camera"/>; one frame per camera at a time.</summary>
    public Task<FrameAnalysis> AnalyzeAsync(int camera, RgbImage frame, CancellationToken ct) => AnalyzeAsync(camera, () => frame, ct);

    /// <summary>
    /// Analyses the frame <paramref name="take"/> returns when a worker dispatches <paramref name="camera"/> (called
    /// once, under the scheduler's lock: it must be quick, e.g. reading the newest frame from a channel); one
    /// request per camera at a time.
    /// </summary>
    public async Task<FrameAnalysis> AnalyzeAsync(int camera, Func<RgbImage> take, CancellationToken ct)
    {
        var pending = new Pending(take, new TaskCompletionSource<FrameAnalysis>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_slots[camera] is not null) throw new InvalidOperationException($"camera {camera} already has a frame waiting");
            _slots[camera] = pending;
            Monitor.Pulse(_lock);
        }
        await using var registration = ct.Register(() =>
        {
            lock (_lock) if (ReferenceEquals(_slots[camera], pending)) _slots[camera] = null;
            pending.Result.TrySetCanceled(ct);
        });
        return await pending.Result.Task.ConfigureAwait(false);
    }

    private void Run()
    {
        var batch = new List<Pending>(_maxBatch);
        var frames = new List<RgbImage>(_maxBatch);
        while (true)
        {
            batch.Clear();
            frames.Clear();
            lock (_lock)
            {
                while (!_stopping && Array.TrueForAll(_slots, s => s is null)) Monitor.Wait(_lock);
                if (_stopping) break;
                int n = _slots.Length, last = _start;
                int waiting = _slots.Count(p => p is not null);
                int share = Math.Min(Math.Min(_maxBatch, FramesInBudget()), (waiting + _workers.Length - 1) / _workers.Length);
                for (int k = 0; k < n && batch.Count < share; k++)
                {
                    int c = (_start + k) % n;
                    if (_slots[c] is not { } p) continue;
                    _slots[c] = null;
                    last = c;
                    try { frames.Add(p.Take()); batch.Add(p); }
                    catch (Exception e) { p.Result.TrySetException(e); }
                }
                _start = (last + 1) % n;
            }
            if (batch.Count == 0) continue;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var results = _analyzer.AnalyzeMany(frames);
                for (int i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(results[i]);
            }
            catch (Exception e)
            {
                foreach (var p in batch) p.Result.TrySetException(e);
            }
            double perFrame = clock.Elapsed.TotalMilliseconds / batch.Count;
            lock (_lock) _msPerFrame = _msPerFrame == 0 ? perFrame : 0.7 * _msPerFrame + 0.3 * perFrame;
            Interlocked.Increment(ref _passes);
            Interlocked.Add(ref _frames, batch.Count);
        }
        lock (_lock)
            foreach (var p in _slots) p?.Result.TrySetCanceled();
    }

    /// <summary>Frames one pass may take within the budget at the measured cost per frame (under the lock).</summary>
    private int FramesInBudget() =>
        double.IsPositiveInfinity(_budgetMs) || _msPerFrame <= 0 ? int.MaxValue : Math.Max(1, (int)(_budgetMs / _msPerFrame));

    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
        }
        foreach (var w in _workers) w.Join();
    }

    private sealed record Pending(Func<RgbImage> Take, TaskCompletionSource<FrameAnalysis> Result);
}

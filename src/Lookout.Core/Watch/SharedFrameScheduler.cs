using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;

namespace Lookout.Core.Watch;

/// <summary>
/// One analyzer serving several cameras. Each camera has one slot (its newest frame: the camera's pipeline already
/// drops older ones). A few worker threads (one per core by default) each take a share of the waiting frames
/// (all of them split evenly between the workers, at most <c>maxBatch</c>) in round-robin order starting after the
/// camera served last, and analyse them in one <see cref="IFrameAnalyzer.AnalyzeMany"/> call (one forward pass when
/// the model takes batches). So cameras share forward passes, a busy camera can never starve a quiet one (every
/// waiting camera is served before any camera is served twice), and the number of passes running at once is bounded
/// by the workers, not by the number of cameras.
/// </summary>
internal sealed class SharedFrameScheduler : IDisposable
{
    private readonly IFrameAnalyzer _analyzer;
    private readonly int _maxBatch;
    private readonly Pending?[] _slots;
    private readonly object _lock = new(); // a monitor: the worker waits on it for frames
    private readonly Thread[] _workers;
    private int _start;
    private bool _stopping;

    /// <param name="workers">Passes that may run at once; 0 = one per core (never more than the cameras).</param>
    public SharedFrameScheduler(IFrameAnalyzer analyzer, int cameras, int maxBatch, int workers = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cameras, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _analyzer = analyzer;
        _maxBatch = maxBatch;
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
    public async Task<FrameAnalysis> AnalyzeAsync(int camera, RgbImage frame, CancellationToken ct)
    {
        var pending = new Pending(frame, new TaskCompletionSource<FrameAnalysis>(TaskCreationOptions.RunContinuationsAsynchronously));
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
        while (true)
        {
            batch.Clear();
            lock (_lock)
            {
                while (!_stopping && Array.TrueForAll(_slots, s => s is null)) Monitor.Wait(_lock);
                if (_stopping) break;
                int n = _slots.Length, last = _start;
                int waiting = _slots.Count(p => p is not null);
                int share = Math.Min(_maxBatch, (waiting + _workers.Length - 1) / _workers.Length);
                for (int k = 0; k < n && batch.Count < share; k++)
                {
                    int c = (_start + k) % n;
                    if (_slots[c] is not { } p) continue;
                    batch.Add(p);
                    _slots[c] = null;
                    last = c;
                }
                _start = (last + 1) % n;
            }
            try
            {
                var results = _analyzer.AnalyzeMany(batch.Select(p => p.Frame).ToList());
                for (int i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(results[i]);
            }
            catch (Exception e)
            {
                foreach (var p in batch) p.Result.TrySetException(e);
            }
            Interlocked.Increment(ref _passes);
            Interlocked.Add(ref _frames, batch.Count);
        }
        lock (_lock)
            foreach (var p in _slots) p?.Result.TrySetCanceled();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.PulseAll(_lock);
        }
        foreach (var w in _workers) w.Join();
    }

    private sealed record Pending(RgbImage Frame, TaskCompletionSource<FrameAnalysis> Result);
}

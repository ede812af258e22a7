using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;

namespace Lookout.Core.Watch;

/// <summary>
/// One analyzer serving several cameras. Each camera has one slot (its newest frame: the camera's pipeline already
/// drops older ones); the scheduler's own thread takes every waiting frame, up to <c>maxBatch</c>, in round-robin
/// order starting after the camera served last, and analyses them in one
/// <see cref="IFrameAnalyzer.AnalyzeMany"/> call (one forward pass when the model takes batches). So cameras share
/// forward passes, a busy camera can never starve a quiet one (each is served at least once every
/// ceil(cameras / maxBatch) passes), and the model's cores are never shared between competing passes, as they
/// would be if every camera called the model itself.
/// </summary>
internal sealed class SharedFrameScheduler : IDisposable
{
    private readonly IFrameAnalyzer _analyzer;
    private readonly int _maxBatch;
    private readonly Pending?[] _slots;
    private readonly object _lock = new(); // a monitor: the worker waits on it for frames
    private readonly Thread _worker;
    private int _start;
    private bool _stopping;

    public SharedFrameScheduler(IFrameAnalyzer analyzer, int cameras, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cameras, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _analyzer = analyzer;
        _maxBatch = maxBatch;
        _slots = new Pending?[cameras];
        _worker = new Thread(Run) { IsBackground = true, Name = "lookout-watch-inference" };
        _worker.Start();
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
                for (int k = 0; k < n && batch.Count < _maxBatch; k++)
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
        _worker.Join();
    }

    private sealed record Pending(RgbImage Frame, TaskCompletionSource<FrameAnalysis> Result);
}

namespace Lookout.Core.Models;

/// <summary>
/// The bounded hand-over from decode workers to the model in a file run, which hands out full batches whenever more
/// images are still on their way: a batch is released when it is full, or when no decoder is decoding (every one is
/// finished, or waiting for room in the run's window, so nothing more can come until results are taken). Decoding is
/// the slow stage, so the model would otherwise run every image alone as it trickles in (a forward pass per image costs
/// more CPU than the same image in a batch), and that CPU is taken from the decoders. Never waits on a timer.
/// </summary>
internal sealed class DecodedQueue<T>(int capacity)
{
    private readonly Queue<T> _items = new();
    private readonly object _gate = new(); // a monitor: Monitor.Wait/PulseAll need one
    private int _decoding;
    private bool _completed;

    /// <summary>A decoder took a file: until <see cref="EndDecoding"/> more may come.</summary>
    public void BeginDecoding()
    {
        lock (_gate) _decoding++;
    }

    /// <summary>The decoder's file is done (queued with <see cref="Add"/>, failed, or abandoned).</summary>
    public void EndDecoding()
    {
        lock (_gate)
        {
            _decoding--;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Queues a decoded image, waiting while the queue is at capacity.</summary>
    public void Add(T item, CancellationToken ct)
    {
        using var wake = ct.Register(Wake);
        lock (_gate)
        {
            while (_items.Count >= capacity)
            {
                ct.ThrowIfCancellationRequested();
                Monitor.Wait(_gate);
            }
            ct.ThrowIfCancellationRequested();
            _items.Enqueue(item);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>No decoder will add anything more.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> images: a full batch, or what is queued once no decoder is decoding; an empty
    /// list when the queue is completed and drained.
    /// </summary>
    public List<T> TakeBatch(int max, CancellationToken ct)
    {
        using var wake = ct.Register(Wake);
        lock (_gate)
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (_items.Count >= max || (_items.Count > 0 && (_decoding == 0 || _completed)))
                {
                    var batch = new List<T>(Math.Min(max, _items.Count));
                    while (batch.Count < max && _items.TryDequeue(out var item)) batch.Add(item);
                    Monitor.PulseAll(_gate); // room for blocked decoders
                    return batch;
                }
                if (_items.Count == 0 && _completed) return [];
                Monitor.Wait(_gate);
            }
        }
    }

    private void Wake()
    {
        lock (_gate) Monitor.PulseAll(_gate);
    }
}

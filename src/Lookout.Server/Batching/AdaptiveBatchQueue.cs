namespace Lookout.Server.Batching;

/// <summary>
/// The adaptive micro-batching policy, apart from any model or thread: a bounded FIFO of waiting requests from which
/// the model's thread takes a batch whenever it is free. <see cref="TakeBatch"/> never waits for company: it returns
/// as soon as one request is waiting, with every request waiting at that moment (up to the cap). So a lone request on
/// an idle model runs at once, and the requests that arrive while a pass runs are exactly what the next pass takes;
/// the batch grows with the load instead of with a timer. A request whose caller gives up is removed from the queue
/// at once (<see cref="TryRemove"/>): it frees its place and never reaches the model.
/// </summary>
public sealed class AdaptiveBatchQueue<T>
{
    private readonly LinkedList<T> _waiting = new();
    private readonly object _lock = new(); // a monitor: the taker waits on it
    private bool _completed;

    public AdaptiveBatchQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get { lock (_lock) return _waiting.Count; }
    }

    /// <summary>Queues <paramref name="item"/>; null when the queue is full or completed (the caller answers 503).</summary>
    /// <returns>A ticket for <see cref="TryRemove"/>.</returns>
    public object? TryAdd(T item)
    {
        lock (_lock)
        {
            if (_completed || _waiting.Count >= Capacity) return null;
            var node = _waiting.AddLast(item);
            Monitor.Pulse(_lock);
            return node;
        }
    }

    /// <summary>Removes a still-waiting item; false when a batch has already taken it (it will run).</summary>
    public bool TryRemove(object ticket)
    {
        var node = (LinkedListNode<T>)ticket;
        lock (_lock)
        {
            if (node.List != _waiting) return false;
            _waiting.Remove(node);
            return true;
        }
    }

    /// <summary>
    /// Without blocking: every waiting item, oldest first, at most <paramref name="max"/>; empty when none waits.
    /// </summary>
    public IReadOnlyList<T> TryTakeBatch(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        lock (_lock) return TakeLocked(max);
    }

    /// <summary>
    /// Blocks until at least one item waits, then takes as <see cref="TryTakeBatch"/> does. Empty only once the
    /// queue is completed and drained (the taker then stops).
    /// </summary>
    public IReadOnlyList<T> TakeBatch(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        lock (_lock)
        {
            while (_waiting.Count == 0 && !_completed) Monitor.Wait(_lock);
            return TakeLocked(max);
        }
    }

    /// <summary>Blocks until an item waits or <paramref name="timeout"/> passes; true when one waits.</summary>
    /// <remarks>Only for a deliberately configured batch wait: the default policy never waits for company.</remarks>
    public bool WaitForItem(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_lock)
        {
            while (_waiting.Count == 0 && !_completed)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_lock, left)) return _waiting.Count > 0;
            }
            return _waiting.Count > 0;
        }
    }

    /// <summary>No more items are accepted; the taker drains what waits, then gets an empty batch.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.PulseAll(_lock);
        }
    }

    private List<T> TakeLocked(int max)
    {
        var batch = new List<T>(Math.Min(max, _waiting.Count));
        while (batch.Count < max && _waiting.First is { } first)
        {
            batch.Add(first.Value);
            _waiting.RemoveFirst();
        }
        return batch;
    }
}

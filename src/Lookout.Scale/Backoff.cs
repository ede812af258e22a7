namespace Lookout.Scale;

/// <summary>Exponential backoff with jitter (200 ms doubling to a cap), so many workers that lost the same server do not return in lockstep.</summary>
public sealed class Backoff(TimeSpan? first = null, TimeSpan? cap = null)
{
    private readonly TimeSpan _first = first ?? TimeSpan.FromMilliseconds(200);
    private readonly TimeSpan _cap = cap ?? TimeSpan.FromSeconds(5);
    private int _failures;

    public TimeSpan Next()
    {
        double ms = Math.Min(_cap.TotalMilliseconds, _first.TotalMilliseconds * Math.Pow(2, Math.Min(_failures++, 16)));
        return TimeSpan.FromMilliseconds(ms * (0.75 + 0.5 * Random.Shared.NextDouble()));
    }

    public void Reset() => _failures = 0;
}

namespace Lookout.Core.Watch;

/// <summary>Latency distribution in milliseconds over the recent window.</summary>
public sealed record LatencySummary(int Count, double P50Ms, double P95Ms, double MaxMs)
{
    public static LatencySummary None { get; } = new(0, 0, 0, 0);
}

/// <summary>
/// Where the frames went: <see cref="FramesIn"/> = <see cref="Processed"/> + <see cref="Dropped"/> +
/// <see cref="SkippedByMotion"/> (+ frames still queued). Frame latency runs from arrival to analysis done,
/// alert latency from arrival of the alert frame to all its actions done.
/// </summary>
public sealed record WatchStats(
    TimeSpan Elapsed,
    long FramesIn,
    long Processed,
    long Dropped,
    long SkippedByMotion,
    long Events,
    LatencySummary FrameLatency,
    LatencySummary AlertLatency)
{
    /// <summary>The camera these counts belong to.</summary>
    public string Camera { get; init; } = "";
    /// <summary>Frames per forward pass of the analyzer the cameras share (above 1 when cameras' frames were batched).</summary>
    public double MeanBatch { get; init; }

    public double ProcessedPerSecond => Processed / Math.Max(Elapsed.TotalSeconds, 1e-9);
    public double InPerSecond => FramesIn / Math.Max(Elapsed.TotalSeconds, 1e-9);
    public double DroppedShare => FramesIn == 0 ? 0 : (double)Dropped / FramesIn;

    public override string ToString() => FormattableString.Invariant(
        $"in {FramesIn} ({InPerSecond:0.0}/s), processed {Processed} ({ProcessedPerSecond:0.0}/s), dropped {Dropped}, no motion {SkippedByMotion}, events {Events}, latency p50 {FrameLatency.P50Ms:0} ms p95 {FrameLatency.P95Ms:0} ms");
}

/// <summary>Keeps the last N samples and summarises them; thread-safe.</summary>
internal sealed class LatencyRecorder(int capacity = 1024)
{
    private readonly double[] _samples = new double[capacity];
    private readonly Lock _lock = new();
    private long _count;

    public void Add(double ms)
    {
        lock (_lock) _samples[_count++ % _samples.Length] = ms;
    }

    public LatencySummary Summary()
    {
        double[] s;
        lock (_lock) s = _samples[..(int)Math.Min(_count, _samples.Length)];
        if (s.Length == 0) return LatencySummary.None;
        Array.Sort(s);
        return new LatencySummary(s.Length, s[(s.Length - 1) / 2], s[(int)Math.Ceiling(0.95 * s.Length) - 1], s[^1]);
    }
}

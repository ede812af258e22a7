using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Lookout.Server.Metrics;

/// <summary>A counter family: one monotonically increasing value per label set.</summary>
internal sealed class CounterFamily(string name, string help, params string[] labelNames)
{
    private readonly ConcurrentDictionary<LabelSet, StrongBox<long>> _values = new();

    public void Inc(params string[] labels) =>
        Interlocked.Increment(ref _values.GetOrAdd(new LabelSet(labels), _ => new StrongBox<long>()).Value);

    public long Get(params string[] labels) => _values.TryGetValue(new LabelSet(labels), out var v) ? Interlocked.Read(ref v.Value) : 0;

    public void Write(StringBuilder sb)
    {
        PrometheusText.Header(sb, name, help, "counter");
        foreach (var (labels, box) in _values.OrderBy(kv => kv.Key.Key, StringComparer.Ordinal))
            PrometheusText.Sample(sb, name, labelNames, labels.Values, Interlocked.Read(ref box.Value));
    }
}

/// <summary>A gauge family: the last value set per label set.</summary>
internal sealed class GaugeFamily(string name, string help, params string[] labelNames)
{
    private readonly ConcurrentDictionary<LabelSet, double> _values = new();

    public void Set(double value, params string[] labels) => _values[new LabelSet(labels)] = value;
    public void Remove(params string[] labels) => _values.TryRemove(new LabelSet(labels), out _);

    public void Write(StringBuilder sb)
    {
        PrometheusText.Header(sb, name, help, "gauge");
        foreach (var (labels, value) in _values.OrderBy(kv => kv.Key.Key, StringComparer.Ordinal))
            PrometheusText.Sample(sb, name, labelNames, labels.Values, value);
    }
}

/// <summary>A histogram family with fixed upper bounds (cumulative buckets, sum and count, as Prometheus expects).</summary>
internal sealed class HistogramFamily(string name, string help, double[] bounds, params string[] labelNames)
{
    private readonly ConcurrentDictionary<LabelSet, Series> _series = new();

    public void Observe(double value, params string[] labels)
    {
        var s = _series.GetOrAdd(new LabelSet(labels), _ => new Series(bounds.Length));
        lock (s)
        {
            int i = Array.FindIndex(bounds, b => value <= b);
            s.Buckets[i < 0 ? bounds.Length : i]++;
            s.Sum += value;
            s.Count++;
        }
    }

    /// <summary>Sum and count of one series (zeros when it has no observation yet).</summary>
    public (double Sum, long Count) Total(params string[] labels)
    {
        if (!_series.TryGetValue(new LabelSet(labels), out var s)) return (0, 0);
        lock (s) return (s.Sum, s.Count);
    }

    public void Write(StringBuilder sb)
    {
        PrometheusText.Header(sb, name, help, "histogram");
        var withLe = labelNames.Append("le").ToArray();
        foreach (var (labels, s) in _series.OrderBy(kv => kv.Key.Key, StringComparer.Ordinal))
        {
            long[] buckets; double sum; long count;
            lock (s) { buckets = (long[])s.Buckets.Clone(); sum = s.Sum; count = s.Count; }
            long cumulative = 0;
            for (int i = 0; i <= bounds.Length; i++)
            {
                cumulative += buckets[i];
                var le = i < bounds.Length ? PrometheusText.Number(bounds[i]) : "+Inf";
                PrometheusText.Sample(sb, name + "_bucket", withLe, [.. labels.Values, le], cumulative);
            }
            PrometheusText.Sample(sb, name + "_sum", labelNames, labels.Values, sum);
            PrometheusText.Sample(sb, name + "_count", labelNames, labels.Values, count);
        }
    }

    private sealed class Series(int bounds)
    {
        public readonly long[] Buckets = new long[bounds + 1];
        public double Sum;
        public long Count;
    }
}

internal readonly record struct LabelSet(string[] Values)
{
    public string Key { get; } = string.Join('\u0001', Values);
    public bool Equals(LabelSet other) => Key == other.Key;
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
}

internal sealed class StrongBox<T> { public T Value = default!; }

/// <summary>Prometheus text exposition format 0.0.4 helpers.</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Header(StringBuilder sb, string name, string help, string type) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
          .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    public static void Sample(StringBuilder sb, string name, IReadOnlyList<string> labelNames, IReadOnlyList<string> values, double value)
    {
        sb.Append(name);
        if (labelNames.Count > 0)
        {
            sb.Append('{');
            for (int i = 0; i < labelNames.Count; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append(labelNames[i]).Append("=\"").Append(Escape(values[i])).Append('"');
            }
            sb.Append('}');
        }
        sb.Append(' ').Append(Number(value)).Append('\n');
    }

    public static string Number(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}

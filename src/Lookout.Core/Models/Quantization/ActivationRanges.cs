namespace Lookout.Core.Models.Quantization;

/// <summary>Smallest and largest value a tensor took over the calibration images.</summary>
public readonly record struct ValueRange(float Min, float Max)
{
    public ValueRange Include(ReadOnlySpan<float> values)
    {
        float lo = Min, hi = Max;
        foreach (var v in values) { if (v < lo) lo = v; if (v > hi) hi = v; }
        return new ValueRange(lo, hi);
    }

    public static ValueRange Empty => new(float.PositiveInfinity, float.NegativeInfinity);
}

/// <summary>Calibrated ranges by tensor name, and how many images they came from.</summary>
public sealed class ActivationRanges
{
    private readonly Dictionary<string, ValueRange> _ranges = new(StringComparer.Ordinal);

    public int Images { get; private set; }
    public IReadOnlyDictionary<string, ValueRange> All => _ranges;
    public bool Contains(string tensor) => _ranges.TryGetValue(tensor, out var r) && r.Min <= r.Max;
    public ValueRange this[string tensor] => _ranges[tensor];

    public void Set(string tensor, ValueRange range) => _ranges[tensor] = range;

    /// <summary>Widens each tensor's range by one image's values (rows in the order of <paramref name="tensors"/>).</summary>
    public void Observe(IReadOnlyList<string> tensors, IReadOnlyList<float[]> values)
    {
        for (int i = 0; i < tensors.Count; i++)
            _ranges[tensors[i]] = _ranges.GetValueOrDefault(tensors[i], ValueRange.Empty).Include(values[i]);
        Images++;
    }
}

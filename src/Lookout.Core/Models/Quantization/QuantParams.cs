namespace Lookout.Core.Models.Quantization;

/// <summary>
/// uint8 asymmetric parameters of an activation: the range is widened to include 0 (so zero, e.g. padding, is exact),
/// <c>scale = (max - min) / 255</c>, <c>zero point = round(-min / scale)</c>.
/// </summary>
public readonly record struct ActivationQuant(float Scale, byte ZeroPoint)
{
    public static ActivationQuant From(ValueRange range)
    {
        double lo = Math.Min(range.Min, 0), hi = Math.Max(range.Max, 0);
        double scale = hi > lo ? (hi - lo) / 255.0 : 1.0;
        var zp = (byte)Math.Clamp(Math.Round(-lo / scale), 0, 255);
        return new ActivationQuant((float)scale, zp);
    }

    public float RoundTrip(float x) => (Math.Clamp(MathF.Round(x / Scale) + ZeroPoint, 0, 255) - ZeroPoint) * Scale;
}

/// <summary>Weights as int8 per output channel (symmetric, -127..127, zero point 0) and biases as int32.</summary>
public static class WeightQuant
{
    /// <param name="weights">Row-major with the output channel first (Conv: [M, C/group, kH, kW]).</param>
    public static (sbyte[] Values, float[] Scales) PerChannel(float[] weights, int channels)
    {
        int per = weights.Length / channels;
        var q = new sbyte[weights.Length];
        var scales = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            float max = 0;
            for (int i = 0; i < per; i++) max = Math.Max(max, Math.Abs(weights[c * per + i]));
            float s = max > 0 ? max / 127f : 1f;
            scales[c] = s;
            for (int i = 0; i < per; i++) q[c * per + i] = (sbyte)Math.Clamp(MathF.Round(weights[c * per + i] / s), -127, 127);
        }
        return (q, scales);
    }

    /// <summary>Bias at scale inputScale x weightScale[c] (what the integer accumulator holds), zero point 0.</summary>
    public static (int[] Values, float[] Scales) Bias(float[] bias, float inputScale, float[] weightScales)
    {
        var q = new int[bias.Length];
        var scales = new float[bias.Length];
        for (int c = 0; c < bias.Length; c++)
        {
            scales[c] = inputScale * weightScales[c];
            q[c] = (int)Math.Clamp(Math.Round(bias[c] / (double)scales[c]), int.MinValue, int.MaxValue);
        }
        return (q, scales);
    }
}

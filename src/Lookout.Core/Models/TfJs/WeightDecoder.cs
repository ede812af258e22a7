using System.Buffers.Binary;
using System.Text.Json;

namespace Lookout.Core.Models.TfJs;

/// <summary>One weightsManifest entry: name, shape, stored dtype and optional quantization.</summary>
public sealed record WeightSpec(string Name, long[] Shape, string DType, string? QuantDType, double Min, double Scale)
{
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);

    public static WeightSpec Parse(JsonElement w)
    {
        var shape = w.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        string? q = null; double min = 0, scale = 1;
        if (w.TryGetProperty("quantization", out var qj))
        {
            q = qj.GetProperty("dtype").GetString();
            if (qj.TryGetProperty("min", out var m)) min = m.GetDouble();
            if (qj.TryGetProperty("scale", out var s)) scale = s.GetDouble();
        }
        return new WeightSpec(w.GetProperty("name").GetString()!, shape, w.GetProperty("dtype").GetString()!, q, min, scale);
    }
}

/// <summary>
/// Decodes weight entries from the concatenated shard bytes, as TF.js <c>io_utils.decodeWeights</c> does:
/// entries follow each other unaligned, little-endian; float16 becomes float32; uint8/uint16 become q*scale+min.
/// </summary>
public static class WeightDecoder
{
    /// <summary>Decodes one entry starting at <paramref name="offset"/> and advances it past the entry's bytes.</summary>
    public static TfTensor Decode(ReadOnlySpan<byte> data, ref long offset, WeightSpec spec)
    {
        long n = spec.Count;
        var target = TfTensor.ParseDType(spec.DType);
        if (spec.QuantDType is { } q)
        {
            int size = q switch { "float16" => 2, "uint8" => 1, "uint16" => 2, _ => throw Unsupported(spec, $"quantization '{q}'") };
            var bytes = Take(data, ref offset, n * size, spec);
            if (q == "float16")
            {
                var f = new float[n];
                for (long i = 0; i < n; i++) f[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice((int)(i * 2))));
                return Typed(target, spec.Shape, f);
            }
            var deq = new float[n];
            for (long i = 0; i < n; i++)
            {
                int raw = size == 1 ? bytes[(int)i] : BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice((int)(i * 2)));
                deq[i] = (float)(raw * spec.Scale + spec.Min);
            }
            return Typed(target, spec.Shape, deq);
        }
        switch (target)
        {
            case TfDType.Float32:
            {
                var bytes = Take(data, ref offset, n * 4, spec);
                var f = new float[n];
                for (long i = 0; i < n; i++) f[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice((int)(i * 4)));
                return TfTensor.OfFloats(spec.Shape, f);
            }
            case TfDType.Int32:
            {
                var bytes = Take(data, ref offset, n * 4, spec);
                var v = new long[n];
                for (long i = 0; i < n; i++) v[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice((int)(i * 4)));
                return TfTensor.OfInts(TfDType.Int32, spec.Shape, v);
            }
            case TfDType.Int64:
            {
                var bytes = Take(data, ref offset, n * 8, spec);
                var v = new long[n];
                for (long i = 0; i < n; i++) v[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice((int)(i * 8)));
                return TfTensor.OfInts(TfDType.Int64, spec.Shape, v);
            }
            case TfDType.Bool:
            {
                var bytes = Take(data, ref offset, n, spec);
                return TfTensor.OfInts(TfDType.Bool, spec.Shape, bytes.ToArray().Select(b => b != 0 ? 1L : 0L).ToArray());
            }
            default:
            {
                // Strings: each element is a uint32 length then that many bytes. Skipped (no op here uses them).
                for (long i = 0; i < n; i++)
                {
                    int len = BinaryPrimitives.ReadInt32LittleEndian(Take(data, ref offset, 4, spec));
                    Take(data, ref offset, len, spec);
                }
                return new TfTensor(TfDType.String, spec.Shape, null, null);
            }
        }
    }

    private static TfTensor Typed(TfDType target, long[] shape, float[] values) => target switch
    {
        TfDType.Float32 => TfTensor.OfFloats(shape, values),
        TfDType.Int32 or TfDType.Int64 or TfDType.Bool => TfTensor.OfInts(target, shape, values.Select(v => (long)Math.Round(v)).ToArray()),
        _ => throw new TfJsFormatException($"Quantized weights of type {target} are not supported."),
    };

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> data, ref long offset, long count, WeightSpec spec)
    {
        if (offset + count > data.Length)
            throw new TfJsFormatException($"Weight '{spec.Name}' needs {count} bytes at offset {offset}, but the shards hold only {data.Length} bytes.");
        var slice = data.Slice((int)offset, (int)count);
        offset += count;
        return slice;
    }

    private static TfJsFormatException Unsupported(WeightSpec spec, string what) => new($"Weight '{spec.Name}': {what} is not supported.");
}

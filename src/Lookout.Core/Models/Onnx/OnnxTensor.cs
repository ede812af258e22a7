using System.Runtime.InteropServices;

namespace Lookout.Core.Models.Onnx;

/// <summary>A constant tensor (initializer or attribute value). Data is little-endian raw bytes.</summary>
public sealed record OnnxTensor(string Name, OnnxDataType Type, long[] Dims, byte[] RawData)
{
    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);

    public static OnnxTensor FromFloats(string name, ReadOnlySpan<float> values, params long[] dims) =>
        new(name, OnnxDataType.Float, CheckDims(dims, values.Length), MemoryMarshal.AsBytes(values).ToArray());

    public static OnnxTensor FromInt64s(string name, ReadOnlySpan<long> values, params long[] dims) =>
        new(name, OnnxDataType.Int64, CheckDims(dims, values.Length), MemoryMarshal.AsBytes(values).ToArray());

    public static OnnxTensor FromInt32s(string name, ReadOnlySpan<int> values, params long[] dims) =>
        new(name, OnnxDataType.Int32, CheckDims(dims, values.Length), MemoryMarshal.AsBytes(values).ToArray());

    public static OnnxTensor FromInt8s(string name, ReadOnlySpan<sbyte> values, params long[] dims) =>
        new(name, OnnxDataType.Int8, CheckDims(dims, values.Length), MemoryMarshal.AsBytes(values).ToArray());

    public static OnnxTensor FromBytes(string name, ReadOnlySpan<byte> values, params long[] dims) =>
        new(name, OnnxDataType.Uint8, CheckDims(dims, values.Length), values.ToArray());

    public static OnnxTensor FromBools(string name, ReadOnlySpan<bool> values, params long[] dims) =>
        new(name, OnnxDataType.Bool, CheckDims(dims, values.Length), values.ToArray().Select(b => b ? (byte)1 : (byte)0).ToArray());

    public float[] ToFloats() => Type == OnnxDataType.Float
        ? MemoryMarshal.Cast<byte, float>(RawData).ToArray()
        : throw new InvalidOperationException($"Tensor '{Name}' is {Type}, not Float.");

    public long[] ToInt64s() => Type switch
    {
        OnnxDataType.Int64 => MemoryMarshal.Cast<byte, long>(RawData).ToArray(),
        OnnxDataType.Int32 => MemoryMarshal.Cast<byte, int>(RawData).ToArray().Select(v => (long)v).ToArray(),
        _ => throw new InvalidOperationException($"Tensor '{Name}' is {Type}, not an integer tensor."),
    };

    public OnnxTensor Renamed(string name) => this with { Name = name };

    private static long[] CheckDims(long[] dims, int count)
    {
        // A tensor with no dims given is a 1-D vector of the values; a scalar must be asked for with dims = [].
        if (dims.Length == 0 && count != 1) return [count];
        long product = dims.Aggregate(1L, (a, d) => a * d);
        if (product != count)
            throw new ArgumentException($"Tensor shape [{string.Join(",", dims)}] holds {product} values, got {count}.");
        return dims;
    }
}

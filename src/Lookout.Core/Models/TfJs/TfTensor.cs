namespace Lookout.Core.Models.TfJs;

/// <summary>The TF element types the importer understands.</summary>
public enum TfDType { Float32, Int32, Int64, Bool, String }

/// <summary>
/// A constant tensor from a TF.js graph (a Const node's weights, or a folded value). Floating values live in
/// <see cref="Floats"/>; integers and bools in <see cref="Ints"/> (widened to long, so int64 stored as int32 fits).
/// </summary>
public sealed record TfTensor(TfDType DType, long[] Shape, float[]? Floats, long[]? Ints)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
    public bool IsFloat => DType == TfDType.Float32;

    public static TfTensor OfFloats(long[] shape, float[] values) => new(TfDType.Float32, shape, values, null);
    public static TfTensor OfInts(TfDType type, long[] shape, long[] values) => new(type, shape, null, values);

    /// <summary>Element <paramref name="i"/> as a double, whatever the storage.</summary>
    public double At(long i) => Floats is { } f ? f[i] : Ints is { } n ? n[i] : throw NoData();

    public long[] AsLongs() => Ints ?? Floats?.Select(v => (long)v).ToArray() ?? throw NoData();
    public float[] AsFloats() => Floats ?? Ints?.Select(v => (float)v).ToArray() ?? throw NoData();

    /// <summary>The single value of a scalar or one-element tensor.</summary>
    public double Scalar() => ElementCount == 1 ? At(0) : throw new InvalidDataException($"Expected a scalar, got shape [{string.Join(",", Shape)}].");

    private static InvalidDataException NoData() => new("Tensor has no numeric data (string tensors are not supported).");

    public static TfDType ParseDType(string s) => s switch
    {
        "DT_FLOAT" or "float32" => TfDType.Float32,
        "DT_INT32" or "int32" => TfDType.Int32,
        "DT_INT64" or "int64" => TfDType.Int64,
        "DT_BOOL" or "bool" => TfDType.Bool,
        "DT_STRING" or "string" => TfDType.String,
        _ => throw new NotSupportedException($"TF data type '{s}' is not supported by the importer."),
    };
}

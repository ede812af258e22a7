using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.TfJs;

/// <summary>Pure operations on constant tensors: layout changes, broadcasting arithmetic, conversion to ONNX.</summary>
internal static class ConstMath
{
    public static long[] Strides(long[] shape)
    {
        var s = new long[shape.Length];
        long acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /// <summary>out = transpose(t, perm): output axis i is input axis perm[i].</summary>
    public static TfTensor Transpose(TfTensor t, int[] perm)
    {
        if (Perms.IsIdentity(perm)) return t;
        var outShape = Perms.Apply(perm, t.Shape);
        var inStrides = Strides(t.Shape);
        var srcStride = perm.Select(a => inStrides[a]).ToArray();
        long n = t.ElementCount;
        var index = new long[perm.Length];
        var map = new long[n];
        for (long o = 0; o < n; o++)
        {
            long src = 0;
            for (int d = 0; d < index.Length; d++) src += index[d] * srcStride[d];
            map[o] = src;
            for (int d = index.Length - 1; d >= 0; d--) { if (++index[d] < outShape[d]) break; index[d] = 0; }
        }
        return t.Floats is { } f
            ? t with { Shape = outShape, Floats = map.Select(i => f[i]).ToArray() }
            : t with { Shape = outShape, Ints = map.Select(i => t.Ints![i]).ToArray() };
    }

    /// <summary>Left-pads the shape with ones to <paramref name="rank"/> (numpy broadcasting alignment).</summary>
    public static TfTensor PadRank(TfTensor t, int rank) =>
        t.Shape.Length >= rank ? t : t with { Shape = Enumerable.Repeat(1L, rank - t.Shape.Length).Concat(t.Shape).ToArray() };

    public static long[] BroadcastShape(long[] a, long[] b)
    {
        int r = Math.Max(a.Length, b.Length);
        var result = new long[r];
        for (int i = 0; i < r; i++)
        {
            long x = i - (r - a.Length) >= 0 ? a[i - (r - a.Length)] : 1;
            long y = i - (r - b.Length) >= 0 ? b[i - (r - b.Length)] : 1;
            result[i] = x == 1 ? y : y == 1 ? x : x == y ? x : x < 0 && y < 0 ? Math.Min(x, y) /* the batch (-2) is more than unknown (-1) */ : x < 0 || y < 0 ? Math.Max(x, y)
                : throw new TfJsFormatException($"Shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast.");
        }
        return result;
    }

    /// <summary>Elementwise binary op with numpy broadcasting, in double precision, cast back to the inputs' type.</summary>
    public static TfTensor Binary(TfTensor a, TfTensor b, Func<double, double, double> f, TfDType? resultType = null)
    {
        var shape = BroadcastShape(a.Shape, b.Shape);
        var pa = PadRank(a, shape.Length); var pb = PadRank(b, shape.Length);
        var sa = Strides(pa.Shape); var sb = Strides(pb.Shape);
        long n = shape.Aggregate(1L, (x, y) => x * y);
        var values = new double[n];
        var index = new long[shape.Length];
        for (long o = 0; o < n; o++)
        {
            long ia = 0, ib = 0;
            for (int d = 0; d < shape.Length; d++)
            {
                if (pa.Shape[d] != 1) ia += index[d] * sa[d];
                if (pb.Shape[d] != 1) ib += index[d] * sb[d];
            }
            values[o] = f(a.At(ia), b.At(ib));
            for (int d = shape.Length - 1; d >= 0; d--) { if (++index[d] < shape[d]) break; index[d] = 0; }
        }
        return FromDoubles(resultType ?? a.DType, shape, values);
    }

    public static TfTensor FromDoubles(TfDType type, long[] shape, double[] values) => type == TfDType.Float32
        ? TfTensor.OfFloats(shape, values.Select(v => (float)v).ToArray())
        : TfTensor.OfInts(type, shape, values.Select(v => (long)v).ToArray());

    public static TfTensor Cast(TfTensor t, TfDType to) => to switch
    {
        TfDType.Float32 => TfTensor.OfFloats(t.Shape, t.AsFloats()),
        TfDType.Bool => TfTensor.OfInts(to, t.Shape, t.AsFloats().Select(v => v != 0 ? 1L : 0L).ToArray()),
        _ => TfTensor.OfInts(to, t.Shape, t.Floats is { } f ? f.Select(v => (long)v).ToArray() : t.Ints!),
    };

    public static OnnxDataType OnnxType(TfDType t) => t switch
    {
        TfDType.Float32 => OnnxDataType.Float,
        TfDType.Int32 => OnnxDataType.Int32,
        TfDType.Int64 => OnnxDataType.Int64,
        TfDType.Bool => OnnxDataType.Bool,
        _ => throw new NotSupportedException($"TF type {t} has no ONNX equivalent here."),
    };

    public static OnnxTensor ToOnnx(string name, TfTensor t) => t.DType switch
    {
        TfDType.Float32 => OnnxTensor.FromFloats(name, t.AsFloats(), t.Shape),
        TfDType.Int32 => OnnxTensor.FromInt32s(name, t.Ints!.Select(v => (int)v).ToArray(), t.Shape),
        TfDType.Int64 => OnnxTensor.FromInt64s(name, t.Ints!, t.Shape),
        TfDType.Bool => OnnxTensor.FromBools(name, t.Ints!.Select(v => v != 0).ToArray(), t.Shape),
        _ => throw new NotSupportedException($"Constant '{name}' of type {t.DType} cannot be written to ONNX."),
    };
}

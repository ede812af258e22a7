using static TorchSharp.torch;

namespace Lookout.Core.Models.OnnxTorch.Ops;

/// <summary>
/// ONNX Resize (nearest / linear) done separably with index_select, so every coordinate_transformation_mode
/// (half_pixel, asymmetric, align_corners, pytorch_half_pixel, tf_half_pixel_for_nearest) follows the ONNX formulas
/// exactly instead of approximating them with torch's interpolate align_corners rules (asymmetric has no torch twin).
/// Coordinates are computed in float32 as ONNX Runtime does, so rounding at .5 boundaries agrees.
/// </summary>
internal static class ResizeOp
{
    public static void Register(IDictionary<string, Func<OpContext, Tensor[]>> ops) => ops["Resize"] = Resize;

    private static Tensor[] Resize(OpContext c)
    {
        var x = c.In(0);
        int rank = (int)x.dim();
        float[]? scales; long[]? sizes = null;
        if (c.Opset < 11) scales = OpContext.Floats(c.In(1));
        else
        {
            scales = c.Opt(2) is { } s && s.numel() > 0 ? OpContext.Floats(s) : null;
            sizes = c.Opt(3) is { } z && z.numel() > 0 ? OpContext.Longs(z) : null;
        }
        if (c.Has("axes")) throw c.Fail("the axes attribute is not supported");
        if (scales is null && sizes is null) throw c.Fail("needs scales or sizes");
        var mode = c.Str("mode", "nearest");
        if (mode is not ("nearest" or "linear")) throw c.Fail($"mode '{mode}' is not supported (nearest, linear)");
        var coord = c.Opset < 11 ? "asymmetric" : c.Str("coordinate_transformation_mode", "half_pixel");
        // Resize-10 had no nearest_mode; ONNX Runtime floors when upsampling and ceils when downsampling ("simple").
        var nearest = c.Opset < 11 ? "simple" : c.Str("nearest_mode", "round_prefer_floor");

        var y = x.alias();
        for (int d = 0; d < rank; d++)
        {
            long inSize = x.shape[d];
            long outSize = sizes?[d] ?? (long)Math.Floor(inSize * scales![d]);
            float scale = scales?[d] ?? (float)outSize / inSize;
            if (outSize == inSize && scale == 1f) continue;
            var src = Enumerable.Range(0, (int)outSize).Select(o => Source(c, coord, o, scale, inSize, outSize)).ToArray();
            var rounding = nearest == "simple" ? (scale < 1f ? "ceil" : "floor") : nearest;
            Tensor n = mode == "nearest" ? Nearest(y, d, src, inSize, rounding, c) : Linear(y, d, src, inSize);
            y.Dispose();
            y = n;
        }
        return [y];
    }

    private static float Source(OpContext c, string coord, int o, float scale, long inSize, long outSize) => coord switch
    {
        "half_pixel" => (o + 0.5f) / scale - 0.5f,
        "pytorch_half_pixel" => outSize > 1 ? (o + 0.5f) / scale - 0.5f : 0f,
        "align_corners" => outSize == 1 ? 0f : o * (float)(inSize - 1) / (outSize - 1),
        "asymmetric" => o / scale,
        "tf_half_pixel_for_nearest" => (o + 0.5f) / scale,
        _ => throw c.Fail($"coordinate_transformation_mode '{coord}' is not supported"),
    };

    private static Tensor Nearest(Tensor x, int axis, float[] src, long inSize, string rounding, OpContext c)
    {
        var idx = src.Select(s =>
        {
            double i = rounding switch
            {
                "round_prefer_floor" => s == Math.Floor(s) + 0.5 ? Math.Floor(s) : Math.Round(s, MidpointRounding.AwayFromZero),
                "round_prefer_ceil" => s == Math.Floor(s) + 0.5 ? Math.Ceiling(s) : Math.Round(s, MidpointRounding.AwayFromZero),
                "floor" => Math.Floor(s),
                "ceil" => Math.Ceiling(s),
                _ => throw c.Fail($"nearest_mode '{rounding}' is not supported"),
            };
            return (long)Math.Clamp(i, 0, inSize - 1);
        }).ToArray();
        using var index = tensor(idx, dtype: ScalarType.Int64);
        return x.index_select(axis, index);
    }

    private static Tensor Linear(Tensor x, int axis, float[] src, long inSize)
    {
        int n = src.Length;
        var lo = new long[n]; var hi = new long[n]; var w = new float[n];
        for (int i = 0; i < n; i++)
        {
            float s = Math.Clamp(src[i], 0f, inSize - 1);
            long l = Math.Min((long)s, inSize - 1);
            lo[i] = l; hi[i] = Math.Min(l + 1, inSize - 1); w[i] = s - l;
        }
        var shape = Enumerable.Repeat(1L, (int)x.dim()).ToArray(); shape[axis] = n;
        using var iLo = tensor(lo, dtype: ScalarType.Int64);
        using var iHi = tensor(hi, dtype: ScalarType.Int64);
        using var wHi = tensor(w).reshape(shape).to_type(x.dtype);
        using var a = x.index_select(axis, iLo);
        using var b = x.index_select(axis, iHi);
        using var diff = b - a;
        using var step = diff * wHi;
        return a + step;
    }
}

using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.TfJs.Ops;

/// <summary>Convolutions, pooling windows and dense layers. Activations are stored NCHW ([0,3,1,2] of logical NHWC).</summary>
internal static class ConvOps
{
    public static void Register(Dictionary<string, OpConverter> map)
    {
        map["Conv2D"] = (n, c) => [Conv(n, c, depthwise: false)];
        map["_FusedConv2D"] = map["Conv2D"];
        map["DepthwiseConv2dNative"] = (n, c) => [Conv(n, c, depthwise: true)];
        map["FusedDepthwiseConv2dNative"] = map["DepthwiseConv2dNative"];
        map["MaxPool"] = (n, c) => [Pool(n, c, "MaxPool")];
        map["AvgPool"] = (n, c) => [Pool(n, c, "AveragePool")];
        map["MatMul"] = (n, c) => [MatMul(n, c)];
        map["_FusedMatMul"] = map["MatMul"];
        map["FusedBatchNorm"] = (n, c) => [BatchNorm(n, c)];
        map["FusedBatchNormV3"] = map["FusedBatchNorm"];
    }

    private static TfValue Conv(TfNode n, ConversionContext c, bool depthwise)
    {
        RequireNhwc(n);
        var x = c.Get(n, 0);
        var filter = c.Const(n, 1); // [kh, kw, Ci, Co] or depthwise [kh, kw, C, M]
        if (filter.Shape.Length != 4) throw new TfJsFormatException($"Node '{n.Name}' ({n.Op}): filter must be 4-D, got [{string.Join(",", filter.Shape)}].");
        long kh = filter.Shape[0], kw = filter.Shape[1];
        TfTensor weights; long outChannels, group = 1;
        if (depthwise)
        {
            // W[c*M + m, 0, i, j] = F[i, j, c, m]: transpose to [C, M, kh, kw], then view as [C*M, 1, kh, kw].
            var t = ConstMath.Transpose(filter, [2, 3, 0, 1]);
            outChannels = filter.Shape[2] * filter.Shape[3];
            weights = t with { Shape = [outChannels, 1, kh, kw] };
            group = filter.Shape[2];
        }
        else
        {
            weights = ConstMath.Transpose(filter, [3, 2, 0, 1]); // [Co, Ci, kh, kw]
            outChannels = filter.Shape[3];
            if (x.Shape[3] > 0 && x.Shape[3] != filter.Shape[2])
            {
                if (x.Shape[3] % filter.Shape[2] != 0)
                    throw new TfJsFormatException($"Node '{n.Name}': input has {x.Shape[3]} channels, filter expects {filter.Shape[2]}.");
                group = x.Shape[3] / filter.Shape[2];
            }
        }
        var (attrs, outH, outW) = Window(n, x, kh, kw, "dilations");
        attrs.Add(OnnxAttribute.Of("kernel_shape", kh, kw));
        if (group != 1) attrs.Add(OnnxAttribute.Of("group", group));
        var inputs = new List<string> { c.As(x, Perms.Nchw), c.Initializer("W", weights) };
        var fused = n.Attr("fused_ops")?.Strings ?? [];
        int next = 2;
        if (fused.Length > 0 && fused[0] == "BiasAdd") inputs.Add(c.Initializer("B", c.Const(n, next++)));
        else if (fused.Length > 0) throw Unsupported(n, $"fused op '{fused[0]}'");
        var y = c.Emit("Conv", inputs, attrs.ToArray());
        y = Activation(n, c, y, fused.Skip(1), () => c.ConstAs(c.Const(n, next), 4, Perms.Nchw));
        return c.Var(y, Perms.Nchw, TfDType.Float32, [x.Shape[0], outH, outW, outChannels]);
    }

    private static TfValue Pool(TfNode n, ConversionContext c, string op)
    {
        RequireNhwc(n);
        var x = c.Get(n, 0);
        var k = n.RequiredAttr("ksize").Ints;
        if (k[0] != 1 || k[3] != 1) throw Unsupported(n, "pooling over batch or channels");
        var (attrs, outH, outW) = Window(n, x, k[1], k[2], null);
        attrs.Add(OnnxAttribute.Of("kernel_shape", k[1], k[2]));
        var y = c.Emit(op, [c.As(x, Perms.Nchw)], attrs.ToArray()); // AveragePool's count_include_pad=0 matches TF SAME
        return c.Var(y, Perms.Nchw, TfDType.Float32, [x.Shape[0], outH, outW, x.Shape[3]]);
    }

    /// <summary>strides/dilations/pads attributes for an NHWC window op, and its output spatial size.</summary>
    private static (List<OnnxAttribute>, long, long) Window(TfNode n, TfValue x, long kh, long kw, string? dilationAttr)
    {
        var s = n.Attr("strides")?.Ints ?? [1, 1, 1, 1];
        var d = dilationAttr is null ? [1L, 1, 1, 1] : n.Attr(dilationAttr)?.Ints is { Length: 4 } di ? di : [1L, 1, 1, 1];
        var padding = n.RequiredAttr("padding").String;
        long h = x.Shape[1], w = x.Shape[2];
        var attrs = new List<OnnxAttribute> { OnnxAttribute.Of("strides", s[1], s[2]) };
        if (dilationAttr is not null) attrs.Add(OnnxAttribute.Of("dilations", d[1], d[2]));
        switch (padding)
        {
            case "VALID":
                attrs.Add(OnnxAttribute.Of("pads", 0L, 0L, 0L, 0L));
                return (attrs, SamePadding.OutputSize(h, kh, s[1], d[1], false), SamePadding.OutputSize(w, kw, s[2], d[2], false));
            case "SAME":
                if ((h < 0 && s[1] != 1) || (w < 0 && s[2] != 1))
                    attrs.Add(OnnxAttribute.Of("auto_pad", "SAME_UPPER")); // size unknown: same rule, computed at run time
                else
                {
                    // Unknown size with stride 1 still pads k-1 in total, whatever the size.
                    var (t, b) = SamePadding.For(h < 0 ? 1 : h, kh, s[1], d[1]);
                    var (l, r) = SamePadding.For(w < 0 ? 1 : w, kw, s[2], d[2]);
                    attrs.Add(OnnxAttribute.Of("pads", t, l, b, r));
                }
                return (attrs, SamePadding.OutputSize(h, kh, s[1], d[1], true), SamePadding.OutputSize(w, kw, s[2], d[2], true));
            case "EXPLICIT":
                var e = n.RequiredAttr("explicit_paddings").Ints; // [[b,e] per NHWC dim]
                attrs.Add(OnnxAttribute.Of("pads", e[2], e[4], e[3], e[5]));
                return (attrs, h < 0 ? -1 : SamePadding.OutputSize(h + e[2] + e[3], kh, s[1], d[1], false),
                    w < 0 ? -1 : SamePadding.OutputSize(w + e[4] + e[5], kw, s[2], d[2], false));
            default:
                throw Unsupported(n, $"padding '{padding}'");
        }
    }

    private static TfValue MatMul(TfNode n, ConversionContext c)
    {
        var a = c.Get(n, 0); var b = c.Get(n, 1);
        if (a.Rank != 2 || b.Rank != 2) throw Unsupported(n, "MatMul on tensors that are not 2-D");
        bool ta = n.Attr("transpose_a")?.Bool ?? false, tb = n.Attr("transpose_b")?.Bool ?? false;
        var inputs = new List<string> { c.Logical(a), c.Logical(b) };
        var fused = n.Attr("fused_ops")?.Strings ?? [];
        if (fused.Length > 0 && fused[0] == "BiasAdd") inputs.Add(c.Logical(c.Get(n, 2)));
        else if (fused.Length > 0) throw Unsupported(n, $"fused op '{fused[0]}'");
        var y = c.Emit("Gemm", inputs, OnnxAttribute.Of("transA", ta ? 1L : 0L), OnnxAttribute.Of("transB", tb ? 1L : 0L));
        y = Activation(n, c, y, fused.Skip(1), () => c.Logical(c.Get(n, 3)));
        return c.Var(y, [0, 1], TfDType.Float32, [ta ? a.Shape[1] : a.Shape[0], tb ? b.Shape[0] : b.Shape[1]]);
    }

    /// <summary>Inference batch norm with constant statistics: y = x*scale/sqrt(var+eps) + (offset - mean*scale/sqrt(var+eps)).</summary>
    private static TfValue BatchNorm(TfNode n, ConversionContext c)
    {
        RequireNhwc(n);
        var x = c.Get(n, 0);
        float[] scale = c.Const(n, 1).AsFloats(), offset = c.Const(n, 2).AsFloats(), mean = c.Const(n, 3).AsFloats(), variance = c.Const(n, 4).AsFloats();
        float eps = n.Attr("epsilon")?.Float ?? 1e-3f;
        var mul = scale.Select((s, i) => s / MathF.Sqrt(variance[i] + eps)).ToArray();
        var add = offset.Select((o, i) => o - mean[i] * mul[i]).ToArray();
        var perm = x.Rank == 4 ? x.Perm : Perms.Identity(x.Rank);
        var xs = c.As(x, perm);
        var y = c.Emit("Mul", [xs, c.ConstAs(TfTensor.OfFloats([mul.Length], mul), perm.Length, perm)]);
        y = c.Emit("Add", [y, c.ConstAs(TfTensor.OfFloats([add.Length], add), perm.Length, perm)]);
        return c.Var(y, perm, TfDType.Float32, x.Shape);
    }

    /// <param name="preluSlope">The fused Prelu's alpha (the input after the bias), laid out to broadcast over y.</param>
    private static string Activation(TfNode n, ConversionContext c, string y, IEnumerable<string> ops, Func<string> preluSlope)
    {
        foreach (var op in ops)
        {
            y = op switch
            {
                "Relu" => c.Emit("Relu", [y]),
                "Relu6" => c.Emit("Clip", [y, c.Scalar("zero", 0f), c.Scalar("six", 6f)]),
                "Elu" => c.Emit("Elu", [y]),
                "Sigmoid" => c.Emit("Sigmoid", [y]),
                "Prelu" => c.Emit("PRelu", [y, preluSlope()]),
                "LeakyRelu" => c.Emit("LeakyRelu", [y], OnnxAttribute.Of("alpha", n.Attr("leakyrelu_alpha")?.Float ?? 0.2f)),
                _ => throw Unsupported(n, $"fused activation '{op}'"),
            };
        }
        return y;
    }

    private static void RequireNhwc(TfNode n)
    {
        var format = n.Attr("data_format")?.String ?? "NHWC";
        if (format != "NHWC") throw Unsupported(n, $"data_format {format}");
    }

    internal static TfJsFormatException Unsupported(TfNode n, string what) =>
        new($"Node '{n.Name}' ({n.Op}): {what} is not supported by the importer.");
}

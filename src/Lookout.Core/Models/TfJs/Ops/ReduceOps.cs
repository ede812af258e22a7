using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.TfJs.Ops;

/// <summary>Reductions, resizing and top-k.</summary>
internal static class ReduceOps
{
    public static void Register(Dictionary<string, OpConverter> map)
    {
        map["Mean"] = (n, c) => [Reduce(n, c, "ReduceMean")];
        map["Max"] = (n, c) => [Reduce(n, c, "ReduceMax")];
        map["Min"] = (n, c) => [Reduce(n, c, "ReduceMin")];
        map["Prod"] = (n, c) => [Reduce(n, c, "ReduceProd")];
        map["Sum"] = (n, c) => [Reduce(n, c, "ReduceSum")];
        map["ResizeBilinear"] = (n, c) => [Resize(n, c)];
        map["TopKV2"] = (n, c) => TopK(n, c);
    }

    private static TfValue Reduce(TfNode n, ConversionContext c, string op)
    {
        var x = c.Get(n, 0);
        var axes = c.Const(n, 1).AsLongs().Select(a => ShapeOps.Norm((int)a, x.Rank)).Distinct().ToArray();
        bool keep = n.Attr("keep_dims")?.Bool ?? false;
        var physical = axes.Select(a => (long)Perms.PhysicalAxis(x.Perm, a)).OrderBy(a => a).ToArray();
        if (op == "ReduceMean" && keep && x.Rank == 4 && physical.SequenceEqual([2L, 3L]))
        {
            // SE-block spatial means: GlobalAveragePool stays in ONNX Runtime's blocked (NCHWc) layout, avoiding reorders.
            var pooled = c.Emit("GlobalAveragePool", [c.As(x, x.Perm)]);
            return c.Var(pooled, x.Perm, x.DType, x.Shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray());
        }
        var attrs = new List<OnnxAttribute> { OnnxAttribute.Of("keepdims", keep ? 1L : 0L) };
        var inputs = new List<string> { c.As(x, x.Perm) };
        // Opset 17: ReduceSum takes axes as an input, the others as an attribute.
        if (op == "ReduceSum") inputs.Add(c.Int64s("axes", physical));
        else attrs.Add(OnnxAttribute.Of("axes", physical));
        var y = c.Emit(op, inputs, attrs.ToArray());
        if (keep)
            return c.Var(y, x.Perm, x.DType, x.Shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray());
        // Dropping axes: the kept physical axes, renumbered in logical order, give the new layout.
        var keptLogical = Enumerable.Range(0, x.Rank).Where(a => !axes.Contains(a)).ToList();
        var perm = x.Perm.Where(a => !axes.Contains(a)).Select(a => keptLogical.IndexOf(a)).ToArray();
        return c.Var(y, perm, x.DType, keptLogical.Select(a => x.Shape[a]).ToArray());
    }

    private static TfValue Resize(TfNode n, ConversionContext c)
    {
        var x = c.Get(n, 0);
        var size = ScaledSize(c.Const(n, 1).AsLongs(), c.InputScale);
        bool alignCorners = n.Attr("align_corners")?.Bool ?? false, halfPixel = n.Attr("half_pixel_centers")?.Bool ?? false;
        var mode = alignCorners ? "align_corners" : halfPixel ? "half_pixel" : "asymmetric";
        var xs = c.As(x, Perms.Nchw);
        // sizes = [N, C] of the input (known only at run time for N) followed by the constant [h, w].
        var nc = c.Emit("Slice", [c.Emit("Shape", [xs]), c.Int64s("zero", 0), c.Int64s("two", 2)]);
        var sizes = c.Emit("Concat", [nc, c.Int64s("hw", size[0], size[1])], OnnxAttribute.Of("axis", 0L));
        var y = c.Emit("Resize", [xs, "", "", sizes], OnnxAttribute.Of("mode", "linear"),
            OnnxAttribute.Of("coordinate_transformation_mode", mode));
        return c.Var(y, Perms.Nchw, TfDType.Float32, [x.Shape[0], size[0], size[1], x.Shape[3]]);
    }

    /// <summary>A constant resize size scaled like the model input; unchanged unless both scaled sizes are whole numbers.</summary>
    private static long[] ScaledSize(long[] size, (double Height, double Width) scale)
    {
        double h = size[0] * scale.Height, w = size[1] * scale.Width;
        return Math.Abs(h - Math.Round(h)) < 1e-9 && Math.Abs(w - Math.Round(w)) < 1e-9 ? [(long)Math.Round(h), (long)Math.Round(w)] : size;
    }

    private static TfValue[] TopK(TfNode n, ConversionContext c)
    {
        var x = c.Get(n, 0);
        long k = (long)c.Const(n, 1).Scalar();
        var outs = c.Emit("TopK", [c.Logical(x), c.Int64s("k", k)], 2, OnnxAttribute.Of("axis", -1L),
            OnnxAttribute.Of("largest", 1L), OnnxAttribute.Of("sorted", 1L));
        var shape = x.Shape.ToArray(); shape[^1] = k;
        var perm = Perms.Identity(x.Rank);
        // TF returns int32 indices; keeping TF's type lets the following integer ops match exactly.
        var indices = c.Emit("Cast", [outs[1]], OnnxAttribute.Of("to", (long)OnnxDataType.Int32));
        return [c.Var(outs[0], perm, x.DType, shape), c.Var(indices, perm, TfDType.Int32, shape)];
    }
}

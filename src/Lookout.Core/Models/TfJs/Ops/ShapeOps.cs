using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.TfJs.Ops;

/// <summary>Ops that move data between axes. Axis arguments are remapped through the value's storage layout.</summary>
internal static class ShapeOps
{
    public static void Register(Dictionary<string, OpConverter> map)
    {
        map["Transpose"] = (n, c) => [Transpose(n, c)];
        map["Reshape"] = (n, c) => [Reshape(n, c)];
        map["ExpandDims"] = (n, c) => [ExpandDims(n, c)];
        map["Squeeze"] = (n, c) => [Squeeze(n, c)];
        map["ConcatV2"] = (n, c) => [Concat(n, c)];
        map["Pad"] = (n, c) => [Pad(n, c, "constant")];
        map["PadV2"] = map["Pad"];
        map["MirrorPad"] = (n, c) => [Pad(n, c, n.RequiredAttr("mode").String == "REFLECT" ? "reflect" : throw ConvOps.Unsupported(n, "SYMMETRIC mirror padding"))];
        map["StridedSlice"] = (n, c) => [StridedSlice(n, c)];
        map["GatherV2"] = (n, c) => [Gather(n, c)];
        map["SplitV"] = (n, c) => Split(n, c, c.Get(n, 0), c.Const(n, 1).AsLongs(), (int)c.Const(n, 2).Scalar());
        map["Split"] = (n, c) =>
        {
            var x = c.Get(n, 1); int axis = Norm((int)c.Const(n, 0).Scalar(), x.Rank);
            long parts = n.RequiredAttr("num_split").Int;
            if (x.Shape[axis] < 0) throw ConvOps.Unsupported(n, "Split of an axis whose size is unknown");
            return Split(n, c, x, Enumerable.Repeat(x.Shape[axis] / parts, (int)parts).ToArray(), axis);
        };
    }

    internal static int Norm(int axis, int rank) => axis < 0 ? axis + rank : axis;

    /// <summary>Free: only the storage description changes (see <see cref="TfValue"/>).</summary>
    private static TfValue Transpose(TfNode n, ConversionContext c)
    {
        var x = c.Get(n, 0);
        var q = c.Const(n, 1).AsLongs().Select(v => (int)v).ToArray();
        var qinv = Perms.Inverse(q);
        return x with { Perm = x.Perm.Select(a => qinv[a]).ToArray(), Shape = Perms.Apply(q, x.Shape) };
    }

    /// <summary>Layout-sensitive: the data is brought back to the logical (NHWC) order first.</summary>
    private static TfValue Reshape(TfNode n, ConversionContext c)
    {
        var x = c.Get(n, 0);
        var target = c.Const(n, 1).AsLongs();
        var outShape = ResolveShape(x.Shape, target);
        // A batch of 1 baked into the target shape becomes 0 ("copy input dim 0") so converted graphs take any batch.
        var onnxShape = target.ToArray();
        bool literalZero = target.Contains(0);
        if (!literalZero && onnxShape.Length > 0 && onnxShape[0] == 1 && x.Rank > 0 && x.Shape[0] == TfValue.Batch) { onnxShape[0] = 0; outShape[0] = TfValue.Batch; }
        var y = c.Emit("Reshape", [c.Logical(x), c.Int64s("shape", onnxShape)], OnnxAttribute.Of("allowzero", literalZero ? 1L : 0L));
        return c.Var(y, Perms.Identity(outShape.Length), x.DType, outShape);
    }

    internal static long[] ResolveShape(long[] input, long[] target)
    {
        var result = target.ToArray(); // TF: 0 is a literal size, not "copy"
        int unknown = Array.IndexOf(result, -1L);
        if (unknown >= 0 && input.All(d => d >= 0))
        {
            long known = result.Where((d, i) => i != unknown).Aggregate(1L, (a, b) => a * b);
            result[unknown] = known == 0 ? 0 : input.Aggregate(1L, (a, b) => a * b) / known;
        }
        else if (unknown > 0 && input.Length > 0 && input[0] == TfValue.Batch && input.Skip(1).All(d => d >= 0) && result[0] == 1)
        {
            // Batch-first reshape like [1,-1] of [N,...]: the rest is determined per sample.
            long known = result.Where((d, i) => i != unknown && i != 0).Aggregate(1L, (a, b) => a * b);
            result[unknown] = input.Skip(1).Aggregate(1L, (a, b) => a * b) / Math.Max(known, 1);
        }
        return result;
    }

    private static TfValue ExpandDims(TfNode n, ConversionContext c)
    {
        var x = c.Get(n, 0);
        int axis = Norm((int)c.Const(n, 1).Scalar(), x.Rank + 1);
        var shape = x.Shape.ToList(); shape.Insert(axis, 1);
        var y = c.Emit("Unsqueeze", [c.Logical(x), c.Int64s("axes", axis)]);
        return c.Var(y, Perms.Identity(shape.Count), x.DType, shape.ToArray());
    }

    private static TfValue Squeeze(TfNode n, ConversionContext c)
    {
        var x = c.Get(n, 0);
        var axes = (n.Attr("squeeze_dims")?.Ints ?? []).Select(a => (long)Norm((int)a, x.Rank)).ToArray();
        if (axes.Length == 0) axes = x.Shape.Select((d, i) => (d, (long)i)).Where(t => t.d == 1).Select(t => t.Item2).ToArray();
        var shape = x.Shape.Where((d, i) => !axes.Contains(i)).ToArray();
        var y = c.Emit("Squeeze", [c.Logical(x), c.Int64s("axes", axes)]);
        return c.Var(y, Perms.Identity(shape.Length), x.DType, shape);
    }

    private static TfValue Concat(TfNode n, ConversionContext c)
    {
        int count = n.Inputs.Count - 1;
        var inputs = Enumerable.Range(0, count).Select(i => c.Get(n, i)).ToList();
        var lead = inputs.FirstOrDefault(v => !v.IsConst) ?? inputs[0];
        int axis = Norm((int)c.Const(n, count).Scalar(), lead.Rank);
        var perm = lead.Perm;
        var names = inputs.Select(v => c.As(v, perm)).ToList();
        var shape = lead.Shape.ToArray();
        shape[axis] = inputs.Any(v => v.Shape[axis] < 0) ? -1 : inputs.Sum(v => v.Shape[axis]);
        var y = c.Emit("Concat", names, OnnxAttribute.Of("axis", (long)Perms.PhysicalAxis(perm, axis)));
        return c.Var(y, perm, lead.DType, shape);
    }

    private static TfValue Pad(TfNode n, ConversionContext c, string mode)
    {
        var x = c.Get(n, 0);
        var p = c.Const(n, 1).AsLongs(); // [[begin, end] per logical axis]
        var begins = x.Perm.Select(a => p[2 * a]); var ends = x.Perm.Select(a => p[2 * a + 1]);
        var inputs = new List<string> { c.As(x, x.Perm), c.Int64s("pads", [.. begins, .. ends]) };
        if (n.Inputs.Count > 2) inputs.Add(c.ConstAs(c.Const(n, 2), 0, []));
        var shape = x.Shape.Select((d, i) => d < 0 ? (p[2 * i] == 0 && p[2 * i + 1] == 0 ? d : -1) : d + p[2 * i] + p[2 * i + 1]).ToArray(); // an unpadded batch axis stays the batch
        var y = c.Emit("Pad", inputs, OnnxAttribute.Of("mode", mode));
        return c.Var(y, x.Perm, x.DType, shape);
    }

    private static TfValue StridedSlice(TfNode n, ConversionContext c)
    {
        var x = c.Get(n, 0);
        long[] begin = c.Const(n, 1).AsLongs(), end = c.Const(n, 2).AsLongs(), strides = c.Const(n, 3).AsLongs();
        long beginMask = n.Attr("begin_mask")?.Int ?? 0, endMask = n.Attr("end_mask")?.Int ?? 0, shrink = n.Attr("shrink_axis_mask")?.Int ?? 0;
        if ((n.Attr("ellipsis_mask")?.Int ?? 0) != 0 || (n.Attr("new_axis_mask")?.Int ?? 0) != 0)
            throw ConvOps.Unsupported(n, "StridedSlice with ellipsis_mask or new_axis_mask");
        var starts = new List<long>(); var ends = new List<long>(); var axes = new List<long>(); var steps = new List<long>(); var squeeze = new List<long>();
        var shape = x.Shape.ToList();
        for (int i = 0; i < begin.Length; i++)
        {
            long s = strides[i], b = begin[i], e = end[i];
            bool isShrink = (shrink >> i & 1) != 0;
            if ((beginMask >> i & 1) != 0 && !isShrink) b = s > 0 ? 0 : long.MaxValue;
            if (isShrink) e = b == -1 ? long.MaxValue : b + 1;
            else if ((endMask >> i & 1) != 0) e = s > 0 ? long.MaxValue : long.MinValue;
            starts.Add(b); ends.Add(e); axes.Add(i); steps.Add(s);
            if (isShrink) squeeze.Add(i);
            shape[i] = SliceLength(x.Shape[i], b, e, s);
        }
        var y = c.Emit("Slice", [c.Logical(x), c.Int64s("starts", starts.ToArray()), c.Int64s("ends", ends.ToArray()),
            c.Int64s("axes", axes.ToArray()), c.Int64s("steps", steps.ToArray())]);
        if (squeeze.Count > 0) y = c.Emit("Squeeze", [y, c.Int64s("axes", squeeze.ToArray())]);
        var outShape = shape.Where((d, i) => !squeeze.Contains(i)).ToArray();
        return c.Var(y, Perms.Identity(outShape.Length), x.DType, outShape);
    }

    private static long SliceLength(long dim, long b, long e, long s)
    {
        if (dim < 0) return b == 0 && e == long.MaxValue && s == 1 ? dim : -1; // a whole unknown axis (the batch) stays what it was
        long Clamp(long v, long lo, long hi) => Math.Min(Math.Max(v, lo), hi);
        if (b < 0 && b != long.MinValue) b += dim;
        if (e < 0 && e != long.MinValue) e += dim;
        if (s > 0) { b = Clamp(b, 0, dim); e = Clamp(e, 0, dim); return Math.Max(0, (e - b + s - 1) / s); }
        b = Clamp(b, -1, dim - 1); e = Clamp(e, -1, dim - 1);
        return Math.Max(0, (b - e + -s - 1) / -s);
    }

    private static TfValue Gather(TfNode n, ConversionContext c)
    {
        var p = c.Get(n, 0); var idx = c.Get(n, 1);
        int axis = Norm((int)c.Const(n, 2).Scalar(), p.Rank);
        if ((n.Attr("batch_dims")?.Int ?? 0) != 0) throw ConvOps.Unsupported(n, "GatherV2 with batch_dims");
        var y = c.Emit("Gather", [c.Logical(p), c.Logical(idx)], OnnxAttribute.Of("axis", (long)axis));
        var shape = p.Shape.Take(axis).Concat(idx.Shape).Concat(p.Shape.Skip(axis + 1)).ToArray();
        return c.Var(y, Perms.Identity(shape.Length), p.DType, shape);
    }

    private static TfValue[] Split(TfNode n, ConversionContext c, TfValue x, long[] sizes, int axis)
    {
        axis = Norm(axis, x.Rank);
        if (sizes.Contains(-1))
        {
            if (x.Shape[axis] < 0) throw ConvOps.Unsupported(n, "SplitV with -1 size on an axis of unknown size");
            sizes[Array.IndexOf(sizes, -1L)] = x.Shape[axis] - sizes.Where(s => s >= 0).Sum();
        }
        var outs = c.Emit("Split", [c.As(x, x.Perm), c.Int64s("split", sizes)], sizes.Length,
            OnnxAttribute.Of("axis", (long)Perms.PhysicalAxis(x.Perm, axis)));
        return outs.Select((o, i) =>
        {
            var shape = x.Shape.ToArray(); shape[axis] = sizes[i];
            return c.Var(o, x.Perm, x.DType, shape);
        }).ToArray();
    }
}

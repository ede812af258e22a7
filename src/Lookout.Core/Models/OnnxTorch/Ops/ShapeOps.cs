using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Lookout.Core.Models.OnnxTorch.Ops;

/// <summary>Layout and indexing ops. Shape-like inputs (shape, axes, pads, starts...) are read back as C# longs.</summary>
internal static class ShapeOps
{
    public static void Register(IDictionary<string, Func<OpContext, Tensor[]>> ops)
    {
        ops["Transpose"] = c =>
        {
            var x = c.In(0);
            var perm = c.Ints("perm") ?? Enumerable.Range(0, (int)x.dim()).Reverse().Select(i => (long)i).ToArray();
            return [x.permute(perm)];
        };
        ops["Reshape"] = Reshape;
        ops["Flatten"] = c =>
        {
            var x = c.In(0);
            var axis = c.Int("axis", 1);
            if (axis < 0) axis += x.dim();
            long rows = x.shape.Take((int)axis).Aggregate(1L, (p, d) => p * d);
            long cols = x.shape.Skip((int)axis).Aggregate(1L, (p, d) => p * d);
            return [x.reshape(rows, cols)];
        };
        ops["Concat"] = c =>
        {
            var parts = Enumerable.Range(0, c.InputCount).Select(c.Opt).OfType<Tensor>().ToArray();
            return [torch.cat(parts, c.Axis(c.Int("axis", 0), parts[0].dim()))];
        };
        ops["Unsqueeze"] = Unsqueeze;
        ops["Squeeze"] = Squeeze;
        ops["Slice"] = Slice;
        ops["Split"] = Split;
        ops["Gather"] = Gather;
        ops["Pad"] = Pad;
        ops["Shape"] = c => [torch.tensor(c.In(0).shape, dtype: ScalarType.Int64)];
        ops["Constant"] = c => [Constant(c)];
    }

    private static long[] AxesArg(OpContext c, int inputIndex) =>
        c.Ints("axes") ?? (c.Opt(inputIndex) is { } a ? OpContext.Longs(a) : []);

    private static Tensor[] Reshape(OpContext c)
    {
        var x = c.In(0);
        var shape = OpContext.Longs(c.In(1));
        bool allowZero = c.Int("allowzero", 0) != 0;
        // 0 means "copy this dimension from the input" unless allowzero is set.
        for (int i = 0; i < shape.Length && !allowZero; i++)
            if (shape[i] == 0) shape[i] = x.shape[i];
        return [x.reshape(shape)];
    }

    private static Tensor[] Unsqueeze(OpContext c)
    {
        var x = c.In(0);
        var axes = AxesArg(c, 1);
        long outRank = x.dim() + axes.Length;
        var sorted = axes.Select(a => c.Axis(a, outRank)).Order().ToArray();
        var y = x.alias();
        foreach (var a in sorted) { var n = y.unsqueeze(a); y.Dispose(); y = n; }
        return [y];
    }

    private static Tensor[] Squeeze(OpContext c)
    {
        var x = c.In(0);
        var axes = AxesArg(c, 1);
        if (axes.Length == 0) return [x.squeeze()];
        var y = x.alias();
        foreach (var a in axes.Select(a => c.Axis(a, x.dim())).OrderDescending())
        {
            if (x.shape[a] != 1) throw c.Fail($"cannot squeeze axis {a} of size {x.shape[a]}");
            var n = y.squeeze(a); y.Dispose(); y = n;
        }
        return [y];
    }

    private static Tensor[] Slice(OpContext c)
    {
        var x = c.In(0);
        long[] starts, ends, axes, steps;
        if (c.Opset >= 10)
        {
            starts = OpContext.Longs(c.In(1)); ends = OpContext.Longs(c.In(2));
            axes = c.Opt(3) is { } a ? OpContext.Longs(a) : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = c.Opt(4) is { } s ? OpContext.Longs(s) : Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        else
        {
            starts = c.Ints("starts")!; ends = c.Ints("ends")!;
            axes = c.Ints("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        var y = x.alias();
        for (int i = 0; i < starts.Length; i++)
        {
            long axis = c.Axis(axes[i], x.dim()), dim = x.shape[axis], step = steps[i];
            if (step == 0) throw c.Fail("slice step 0");
            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 ? ends[i] + dim : ends[i];
            Tensor n;
            if (step > 0)
            {
                start = Math.Clamp(start, 0, dim); end = Math.Clamp(end, 0, dim);
                n = y.slice(axis, start, Math.Max(start, end), step);
            }
            else
            {
                // torch slicing has no negative steps: pick the indices explicitly.
                start = Math.Clamp(start, 0, dim - 1); end = Math.Clamp(end, -1, dim - 1);
                var idx = new List<long>();
                for (long k = start; k > end; k += step) idx.Add(k);
                using var index = torch.tensor(idx.ToArray(), dtype: ScalarType.Int64);
                n = y.index_select(axis, index);
            }
            y.Dispose(); y = n;
        }
        return [y];
    }

    private static Tensor[] Split(OpContext c)
    {
        var x = c.In(0);
        var axis = c.Axis(c.Int("axis", 0), x.dim());
        long[]? sizes = c.Ints("split") ?? (c.Opt(1) is { } s ? OpContext.Longs(s) : null);
        int outputs = c.Node.Outputs.Count;
        if (sizes is null || sizes.Length == 0)
        {
            // Equal parts; since opset 18 the last part may be smaller.
            long dim = x.shape[axis], n = c.Int("num_outputs", outputs), part = (dim + n - 1) / n;
            sizes = Enumerable.Range(0, (int)n).Select(i => Math.Min(part, dim - i * part)).ToArray();
        }
        return x.split(sizes, axis);
    }

    private static Tensor[] Gather(OpContext c)
    {
        var data = c.In(0); var indices = c.In(1);
        var axis = c.Axis(c.Int("axis", 0), data.dim());
        using var idx64 = indices.to_type(ScalarType.Int64);
        // Negative indices count from the end of the axis.
        using var neg = idx64.lt(0);
        using var wrapped = idx64 + data.shape[axis];
        using var idx = torch.where(neg, wrapped, idx64);
        using var flat = idx.flatten();
        using var picked = data.index_select(axis, flat);
        var shape = data.shape.Take((int)axis).Concat(indices.shape).Concat(data.shape.Skip((int)axis + 1)).ToArray();
        return [picked.reshape(shape)];
    }

    private static Tensor[] Pad(OpContext c)
    {
        var x = c.In(0);
        long[] pads; double value;
        if (c.Opset >= 11)
        {
            pads = OpContext.Longs(c.In(1));
            value = c.Opt(2) is { } v && v.numel() > 0 ? OpContext.Floats(v)[0] : 0;
        }
        else
        {
            pads = c.Ints("pads")!;
            value = c.Float("value", 0);
        }
        int rank = (int)x.dim();
        var axes = c.Opt(3) is { } ax ? OpContext.Longs(ax).Select(a => c.Axis(a, rank)).ToArray()
            : Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        var begin = new long[rank]; var end = new long[rank];
        for (int i = 0; i < axes.Length; i++) { begin[axes[i]] = pads[i]; end[axes[i]] = pads[i + axes.Length]; }
        var mode = c.Str("mode", "constant") switch
        {
            "constant" => PaddingModes.Constant,
            "reflect" => PaddingModes.Reflect,
            "edge" => PaddingModes.Replicate,
            var m => throw c.Fail($"pad mode '{m}' is not supported"),
        };
        // torch wants (begin,end) pairs from the last dimension backwards; leading all-zero dims are dropped
        // because reflect/replicate only accept the trailing spatial dims.
        int first = 0;
        while (first < rank - 1 && begin[first] == 0 && end[first] == 0) first++;
        var torchPads = new List<long>();
        for (int d = rank - 1; d >= first; d--) { torchPads.Add(begin[d]); torchPads.Add(end[d]); }
        return [F.pad(x, torchPads.ToArray(), mode, value)];
    }

    private static Tensor Constant(OpContext c)
    {
        if (c.Node.Attribute("value") is { T: { } t }) return OnnxTensors.ToTorch(t);
        if (c.Node.Attribute("value_float") is { } f) return torch.tensor(f.F);
        if (c.Node.Attribute("value_floats") is { Floats: { } fs }) return torch.tensor(fs.ToArray());
        if (c.Node.Attribute("value_int") is { } i) return torch.tensor(i.I);
        if (c.Node.Attribute("value_ints") is { Ints: { } ls }) return torch.tensor(ls.ToArray());
        throw c.Fail("Constant needs a value, value_float(s) or value_int(s) attribute");
    }
}

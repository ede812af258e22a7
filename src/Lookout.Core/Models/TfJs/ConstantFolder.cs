namespace Lookout.Core.Models.TfJs;

/// <summary>
/// Evaluates nodes whose inputs are all constants at conversion time (shape arithmetic such as nanodet's
/// SparseToDense + int64 Add that builds a Reshape target). Returns null when the op is not foldable here.
/// </summary>
internal static class ConstantFolder
{
    public static TfTensor? TryFold(TfNode n, IReadOnlyList<TfTensor> inputs)
    {
        switch (n.Op)
        {
            case "Identity" or "StopGradient": return inputs[0];
            case "Cast": return ConstMath.Cast(inputs[0], n.RequiredAttr("DstT").Type);
            case "Add" or "AddV2": return ConstMath.Binary(inputs[0], inputs[1], (a, b) => a + b);
            case "Sub": return ConstMath.Binary(inputs[0], inputs[1], (a, b) => a - b);
            case "Mul": return ConstMath.Binary(inputs[0], inputs[1], (a, b) => a * b);
            case "Maximum": return ConstMath.Binary(inputs[0], inputs[1], Math.Max);
            case "Minimum": return ConstMath.Binary(inputs[0], inputs[1], Math.Min);
            case "FloorDiv": return ConstMath.Binary(inputs[0], inputs[1], (a, b) => Math.Floor(a / b));
            case "Reshape":
                var shape = Ops.ShapeOps.ResolveShape(inputs[0].Shape, inputs[1].AsLongs());
                return inputs[0] with { Shape = shape };
            case "Transpose": return ConstMath.Transpose(inputs[0], inputs[1].AsLongs().Select(v => (int)v).ToArray());
            case "SparseToDense": return SparseToDense(n, inputs);
            default: return null;
        }
    }

    /// <summary>dense = fill(outputShape, default); dense[indices[i]] = values[i] (or the scalar value).</summary>
    private static TfTensor SparseToDense(TfNode n, IReadOnlyList<TfTensor> inputs)
    {
        var (indices, outShape, values, fill) = (inputs[0], inputs[1].AsLongs(), inputs[2], inputs[3]);
        long count = outShape.Aggregate(1L, (a, b) => a * b);
        var data = Enumerable.Repeat(fill.Scalar(), (int)count).ToArray();
        long entries = indices.Shape.Length == 0 ? 1 : indices.Shape[0];
        int rank = indices.Shape.Length == 2 ? (int)indices.Shape[1] : 1;
        var strides = ConstMath.Strides(outShape);
        for (long e = 0; e < entries; e++)
        {
            long flat = 0;
            for (int d = 0; d < rank; d++) flat += (long)indices.At(e * rank + d) * strides[rank == 1 ? outShape.Length - 1 : d];
            if (flat < 0 || flat >= count) throw new TfJsFormatException($"Node '{n.Name}' (SparseToDense): index out of range.");
            data[flat] = values.ElementCount == 1 ? values.Scalar() : values.At(e);
        }
        return ConstMath.FromDoubles(values.DType, outShape, data);
    }
}

using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.OnnxTorch;

namespace Lookout.Core.Training.FineTuning;

/// <summary>Chooses which initializers of a backbone graph are trained (the rest stay frozen).</summary>
public static class TrainableSelection
{
    private static readonly HashSet<string> WeightOps = new(StringComparer.Ordinal) { "Conv", "Gemm", "MatMul" };
    private static readonly HashSet<string> AffineOps = new(StringComparer.Ordinal) { "Mul", "Add", "Sub", "BatchNormalization" };

    public static Func<string, bool> None => _ => false;

    /// <summary>
    /// The last <paramref name="blocks"/> Conv nodes by topological position (a "block" ends at each Conv) and
    /// everything learnable after the first of them: Conv/Gemm/MatMul weights and biases, and per-channel affine
    /// constants (folded batch-norm Mul/Add with more than one element). Scalars such as h-swish's 1/6 or Clip bounds
    /// are never trained, and the input prologue's normalisation lies before every Conv so it stays frozen.
    /// </summary>
    public static Func<string, bool> LastConvBlocks(OnnxGraph graph, int blocks)
    {
        if (blocks <= 0) return None;
        var inputName = graph.Inputs.FirstOrDefault()?.Name ?? "";
        var order = GraphOrder.Topological(graph, inputName);
        var convPositions = order.Select((n, i) => (n, i)).Where(x => x.n.OpType == "Conv").Select(x => x.i).ToList();
        int cut = convPositions.Count == 0 ? order.Count : convPositions[Math.Max(0, convPositions.Count - blocks)];
        var inits = graph.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = cut; i < order.Count; i++)
        {
            var node = order[i];
            for (int k = 0; k < node.Inputs.Count; k++)
            {
                var input = node.Inputs[k];
                if (!inits.TryGetValue(input, out var t) || t.Type != OnnxDataType.Float) continue;
                // BatchNormalization's running mean/variance are statistics, not weights: only scale and bias learn.
                if (node.OpType == "BatchNormalization" && k is not (1 or 2)) continue;
                if (WeightOps.Contains(node.OpType) || (AffineOps.Contains(node.OpType) && t.ElementCount > 1))
                    names.Add(input);
            }
        }
        return names.Contains;
    }

    /// <summary>All float weights of Conv/Gemm/MatMul nodes and per-channel affine constants.</summary>
    public static Func<string, bool> All(OnnxGraph graph) => LastConvBlocks(graph, int.MaxValue);
}

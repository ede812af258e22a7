using static TorchSharp.torch;

namespace Lookout.Core.Models.OnnxTorch.Ops;

/// <summary>The op table: ONNX op_type -> TorchSharp implementation. One place to see what the executor supports.</summary>
internal static class OnnxOps
{
    private static readonly Dictionary<string, Func<OpContext, Tensor[]>> Table = Build();

    public static IReadOnlyCollection<string> Supported => Table.Keys;

    public static bool TryGet(string opType, out Func<OpContext, Tensor[]> impl) => Table.TryGetValue(opType, out impl!);

    private static Dictionary<string, Func<OpContext, Tensor[]>> Build()
    {
        var ops = new Dictionary<string, Func<OpContext, Tensor[]>>(StringComparer.Ordinal);
        ElementwiseOps.Register(ops);
        NnOps.Register(ops);
        ShapeOps.Register(ops);
        ResizeOp.Register(ops);
        return ops;
    }
}

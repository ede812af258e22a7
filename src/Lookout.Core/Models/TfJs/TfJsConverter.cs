using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.TfJs.Ops;

namespace Lookout.Core.Models.TfJs;

/// <summary>
/// Converts a TF.js graph model to ONNX (opset 17). Activations are kept NCHW internally (TF is NHWC), constants are
/// folded, and only the nodes the requested outputs depend on are converted. Unsupported ops fail with a
/// <see cref="TfJsFormatException"/> naming the op and node.
/// </summary>
public static class TfJsConverter
{
    public const int Opset = 17;

    public static OnnxModel Convert(TfJsModel model, TfJsConversionOptions options)
    {
        if (options.Outputs.Count == 0) throw new ArgumentException("At least one output is required.", nameof(options));
        var needed = Reachable(model, options.Outputs.Select(o => TfRef.Parse(o.Node).Node));
        var ctx = new ConversionContext(new OnnxGraphBuilder());
        ctx.B.Graph.Name = options.GraphName;
        var placeholders = model.Nodes.Where(n => n.Op == "Placeholder" && needed.Contains(n.Name)).ToList();
        if (placeholders.Count != 1)
            throw new TfJsFormatException($"The requested outputs depend on {placeholders.Count} inputs; exactly one image input is supported.");

        foreach (var node in model.Nodes.Where(n => needed.Contains(n.Name)))
        {
            switch (node.Op)
            {
                case "Const": ctx.Set(new TfRef(node.Name, 0), TfValue.Constant(model.Constants[node.Name])); break;
                case "Placeholder": ctx.Set(new TfRef(node.Name, 0), ModelInput.Declare(ctx, node, options)); break;
                case "NoOp": break;
                default: ConvertNode(ctx, node); break;
            }
        }
        foreach (var output in options.Outputs) AddOutput(ctx, output);
        GraphCleanup.RemoveUnused(ctx.B.Graph);
        var onnx = new OnnxModel { Graph = ctx.B.Graph, ProducerName = "lookout-tfjs-importer" };
        onnx.Opsets.Clear();
        onnx.Opsets.Add(new OnnxOpset("", Opset));
        return onnx;
    }

    private static void ConvertNode(ConversionContext ctx, TfNode node)
    {
        var inputs = Enumerable.Range(0, node.Inputs.Count).Select(i => ctx.Get(node, i)).ToList();
        if (inputs.Count > 0 && inputs.All(v => v.IsConst) && ConstantFolder.TryFold(node, inputs.Select(v => v.Const!).ToList()) is { } folded)
        {
            ctx.Set(new TfRef(node.Name, 0), TfValue.Constant(folded));
            return;
        }
        if (!OpRegistry.TryGet(node.Op, out var converter))
            throw new TfJsFormatException($"Unsupported TF op '{node.Op}' at node '{node.Name}'. Supported: {string.Join(", ", OpRegistry.Supported.Order())}.");
        TfValue[] outputs;
        try { outputs = converter(node, ctx); }
        catch (Exception e) when (e is not TfJsFormatException)
        {
            throw new TfJsFormatException($"Converting node '{node.Name}' ({node.Op}) failed: {e.Message}", e);
        }
        for (int i = 0; i < outputs.Length; i++) ctx.Set(new TfRef(node.Name, i), outputs[i]);
    }

    private static void AddOutput(ConversionContext ctx, TfJsOutput output)
    {
        var r = TfRef.Parse(output.Node);
        var fake = new TfNode($"output '{output.Name}'", "Output", [r], new Dictionary<string, TfAttr>());
        var v = ctx.Get(fake, 0);
        if (output.SpatialMean)
        {
            if (v.Rank != 4) throw new TfJsFormatException($"Embedding node '{output.Node}' is {v.Rank}-D; a 4-D feature map is needed.");
            int ch = output.ChannelAxis;
            var spatial = Enumerable.Range(1, 3).Where(a => a != ch).ToArray();
            var nchw = ctx.As(v, [0, ch, spatial[0], spatial[1]]);
            var pooled = ctx.Emit("GlobalAveragePool", [nchw]);
            ctx.B.NodeNamed("Flatten", [pooled], [output.Name], OnnxAttribute.Of("axis", 1L));
            ctx.B.Output(output.Name, OnnxDataType.Float, "N", v.Shape[ch] >= 0 ? v.Shape[ch] : $"{output.Name}_dim");
            return;
        }
        ctx.B.NodeNamed("Identity", [ctx.Logical(v)], [output.Name]);
        var dims = v.Shape.Select((d, i) => d >= 0 ? (OnnxDim)d : i == 0 ? "N" : $"{output.Name}_{i}").ToArray();
        ctx.B.Output(output.Name, ConstMath.OnnxType(v.DType), dims);
    }

    /// <summary>The nodes the given ones depend on (including themselves).</summary>
    private static HashSet<string> Reachable(TfJsModel model, IEnumerable<string> roots)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(roots);
        while (stack.Count > 0)
        {
            var name = stack.Pop();
            if (!seen.Add(name)) continue;
            foreach (var i in model.Node(name).Inputs) stack.Push(i.Node);
        }
        return seen;
    }
}

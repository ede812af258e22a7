using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.Quantization;

/// <summary>
/// Static int8 quantization in the QDQ form ONNX Runtime fuses into integer kernels: every Conv whose weights are
/// constant gets QuantizeLinear/DequantizeLinear (uint8, asymmetric) on its input and output from calibrated ranges,
/// its weights as int8 per output channel (symmetric) behind a DequantizeLinear, and its bias as int32 at scale
/// input-scale x weight-scale. ORT rewrites each "DQ -> Conv -> Q" group to QLinearConv; everything else stays float
/// (the head is a few small Gemms). The graph's inputs, outputs and tensor names are unchanged, so every inference
/// path loads the result like the float model.
/// </summary>
public static class QdqQuantizer
{
    public const string Int8 = "int8";
    public const string Fp32 = "fp32";

    /// <summary>The float tensors whose ranges <see cref="Quantize"/> needs: input and output of each quantizable Conv.</summary>
    public static IReadOnlyList<string> CalibrationTensors(OnnxModel model)
    {
        var constants = model.Graph.Initializers.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        return model.Graph.Nodes.Where(n => IsQuantizable(n, constants))
            .SelectMany(n => new[] { n.Inputs[0], n.Outputs[0] }).Distinct(StringComparer.Ordinal).ToList();
    }

    private static bool IsQuantizable(OnnxNode n, HashSet<string> constants) =>
        n.OpType == "Conv" && n.Domain.Length == 0 && n.Inputs.Count >= 2 && constants.Contains(n.Inputs[1])
        && (n.Inputs.Count < 3 || n.Inputs[2].Length == 0 || constants.Contains(n.Inputs[2]));

    /// <summary>A new model: <paramref name="fp32"/> with its Convs quantized; metadata copied, precision set to int8.</summary>
    public static OnnxModel Quantize(OnnxModel fp32, ActivationRanges ranges)
    {
        if (fp32.DefaultOpset < 13) throw new NotSupportedException($"int8 export needs ONNX opset 13 or later (per-channel DequantizeLinear); the model has {fp32.DefaultOpset}.");
        var source = fp32.Graph;
        var initializers = source.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var constants = initializers.Keys.ToHashSet(StringComparer.Ordinal);
        var graph = new OnnxGraph { Name = source.Name };
        graph.Inputs.AddRange(source.Inputs);
        graph.Outputs.AddRange(source.Outputs);
        graph.Initializers.AddRange(source.Initializers);
        // Builder over the source's names, so the new tensors never collide with the graph's own.
        var names = new OnnxGraphBuilder(source, "q/");
        var dequantized = new Dictionary<string, string>(StringComparer.Ordinal); // float tensor -> its QDQ'd copy

        foreach (var node in source.Nodes)
        {
            if (!IsQuantizable(node, constants) || !ranges.Contains(node.Inputs[0]) || !ranges.Contains(node.Outputs[0]))
            {
                graph.Nodes.Add(node);
                continue;
            }
            var inQ = ActivationQuant.From(ranges[node.Inputs[0]]);
            var x = QuantizeDequantize(graph, names, node.Inputs[0], inQ, dequantized);
            var weight = initializers[node.Inputs[1]];
            var (wq, wScales) = WeightQuant.PerChannel(weight.ToFloats(), (int)weight.Dims[0]);
            var w = Dequantize(graph, names, "w",
                OnnxTensor.FromInt8s("", wq, weight.Dims),
                OnnxTensor.FromFloats("", wScales, wScales.Length),
                OnnxTensor.FromInt8s("", new sbyte[wScales.Length], wScales.Length), axis: 0);
            var inputs = new List<string> { x, w };
            if (node.Inputs.Count >= 3 && node.Inputs[2].Length > 0)
            {
                var (bq, bScales) = WeightQuant.Bias(initializers[node.Inputs[2]].ToFloats(), inQ.Scale, wScales);
                inputs.Add(Dequantize(graph, names, "b",
                    OnnxTensor.FromInt32s("", bq, bq.Length),
                    OnnxTensor.FromFloats("", bScales, bScales.Length),
                    OnnxTensor.FromInt32s("", new int[bq.Length], bq.Length), axis: 0));
            }
            // The Conv writes a private name; Q -> DQ then restores the original name, so consumers are untouched and a
            // following Conv reuses this DQ output instead of quantizing the same tensor twice.
            var raw = names.Unique("conv_fp");
            graph.Nodes.Add(node with { Inputs = inputs, Outputs = [raw] });
            var outQ = ActivationQuant.From(ranges[node.Outputs[0]]);
            AppendQdq(graph, names, raw, outQ, node.Outputs[0]);
            dequantized[node.Outputs[0]] = node.Outputs[0];
        }

        var used = graph.Nodes.SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);
        graph.Initializers.RemoveAll(t => !used.Contains(t.Name));
        var model = new OnnxModel { IrVersion = fp32.IrVersion, ProducerName = fp32.ProducerName, ProducerVersion = fp32.ProducerVersion, Graph = graph };
        model.Opsets.Clear();
        model.Opsets.AddRange(fp32.Opsets);
        foreach (var (k, v) in fp32.Metadata) model.Metadata[k] = v;
        model.Metadata[ModelMetadata.Precision] = Int8;
        return model;
    }

    private static string QuantizeDequantize(OnnxGraph graph, OnnxGraphBuilder names, string tensor, ActivationQuant q, Dictionary<string, string> done)
    {
        if (done.TryGetValue(tensor, out var existing)) return existing;
        var output = names.Unique("x_dq");
        AppendQdq(graph, names, tensor, q, output);
        done[tensor] = output;
        return output;
    }

    private static void AppendQdq(OnnxGraph graph, OnnxGraphBuilder names, string input, ActivationQuant q, string output)
    {
        var scale = Constant(graph, names, "scale", OnnxTensor.FromFloats("", [q.Scale]));
        var zero = Constant(graph, names, "zp", OnnxTensor.FromBytes("", [q.ZeroPoint]));
        var quantized = names.Unique("x_q");
        graph.Nodes.Add(new OnnxNode("QuantizeLinear", [input, scale, zero], [quantized], names.Unique("Q")));
        graph.Nodes.Add(new OnnxNode("DequantizeLinear", [quantized, scale, zero], [output], names.Unique("DQ")));
    }

    private static string Dequantize(OnnxGraph graph, OnnxGraphBuilder names, string hint, OnnxTensor values, OnnxTensor scales, OnnxTensor zeros, long axis)
    {
        var v = Constant(graph, names, hint + "_q", values);
        var s = Constant(graph, names, hint + "_scale", scales);
        var z = Constant(graph, names, hint + "_zp", zeros);
        var output = names.Unique(hint + "_dq");
        graph.Nodes.Add(new OnnxNode("DequantizeLinear", [v, s, z], [output], names.Unique("DQ"), [OnnxAttribute.Of("axis", axis)]));
        return output;
    }

    private static string Constant(OnnxGraph graph, OnnxGraphBuilder names, string hint, OnnxTensor tensor)
    {
        var name = names.Unique(hint);
        graph.Initializers.Add(tensor.Renamed(name));
        return name;
    }
}

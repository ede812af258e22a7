using Lookout.Core.Imaging;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.ImageNet;

/// <summary>
/// Turns an ONNX classifier trunk with a separate mean-image preprocessing graph (ML.NET's ResNet-18, a CNTK opset-8
/// export: float [1,3,224,224] in, [1,512,1,1] out) into a Lookout backbone like the TF.js-imported ones: uint8 NHWC
/// <c>image</c> in with the normalisation in-graph, any batch size, opset 17, and <c>embedding</c> [N,D] out.
/// <list type="bullet">
/// <item>Normalisation: <see cref="ImageInputPrologue"/> with the catalog spec (BGR, per-channel mean) and then a
/// <c>Sub</c> of the residual (mean image minus that per-channel mean), so the sum is exactly what
/// <c>ResNetPreprocess.onnx</c> subtracts, pixel by pixel.</item>
/// <item>Opset 8 to 17: BatchNormalization loses its <c>spatial</c> attribute (1 is the only behaviour that remained);
/// the final AveragePool over the whole map becomes GlobalAveragePool (any batch, and Grad-CAM finds its target).</item>
/// </list>
/// Only the ops whose opset-8 and opset-17 meanings were checked are accepted.
/// </summary>
public static class MeanImageBackboneImporter
{
    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
        { "Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "AveragePool", "GlobalAveragePool" };

    /// <summary>Largest accepted gap between the spec's per-channel mean and the mean image's own channel means.</summary>
    public const double MeanTolerance = 0.05;

    public static OnnxModel Build(OnnxModel network, MeanImagePreprocess preprocess, PreprocessSpec spec, string graphName)
    {
        CheckSpec(preprocess, spec);
        var src = network.Graph;
        var input = src.Inputs.Single(i => src.Initializers.All(t => t.Name != i.Name));
        if (input.Shape is not { Count: 4 } inShape || inShape[1].Value != 3 || inShape[2].Value != spec.Height || inShape[3].Value != spec.Width)
            throw new InvalidDataException($"{graphName}: input {input.Name} is [{string.Join(",", input.Shape ?? [])}], expected [N,3,{spec.Height},{spec.Width}].");
        if (src.Outputs.Count != 1 || src.Outputs[0].Shape is not { Count: 4 } outShape || outShape[1].Value is not { } channels
            || outShape[2].Value != 1 || outShape[3].Value != 1)
            throw new InvalidDataException($"{graphName}: expected one [N,C,1,1] output.");
        foreach (var n in src.Nodes.Where(n => !Supported.Contains(n.OpType)))
            throw new InvalidDataException($"{graphName}: op {n.OpType} (node {n.Name}) is not one this importer converts ({string.Join(", ", Supported)}).");

        var graph = new OnnxGraph { Name = graphName };
        graph.Initializers.AddRange(src.Initializers);
        var b = new OnnxGraphBuilder(graph);
        var x = ImageInputPrologue.Append(b, spec);
        x = b.Node("Sub", [x, b.Floats("mean_image_residual", Residual(preprocess, spec), 1, 3, preprocess.Height, preprocess.Width)]);

        var producedByPrologue = graph.Nodes.SelectMany(n => n.Outputs).ToHashSet(StringComparer.Ordinal);
        string Rename(string name) => name == input.Name ? x : name;
        var pooled = src.Outputs[0].Name;
        foreach (var n in src.Nodes)
        {
            if (n.Outputs.Any(producedByPrologue.Contains))
                throw new InvalidDataException($"{graphName}: tensor name clash at node {n.Name}.");
            var inputs = n.Inputs.Select(Rename).ToArray();
            graph.Nodes.Add(n.OpType switch
            {
                "BatchNormalization" => n with { Inputs = inputs, Attributes = [.. WithoutSpatial(n, graphName)] },
                "AveragePool" when n.Outputs[0] == pooled && IsWholeMapPool(n) => n with
                {
                    OpType = "GlobalAveragePool", Inputs = inputs, Attributes = [],
                },
                _ => n with { Inputs = inputs },
            });
        }
        if (graph.Nodes.Last(n => n.Outputs.Contains(pooled)).OpType != "GlobalAveragePool")
            throw new InvalidDataException($"{graphName}: the output is not a global average pool over the last feature map.");
        b.NodeNamed("Flatten", [pooled], [Backbone.OutputName], OnnxAttribute.Of("axis", 1L));
        b.Output(Backbone.OutputName, OnnxDataType.Float, "N", channels);

        var model = new OnnxModel { Graph = graph, IrVersion = 8, ProducerName = "lookout-onnx-importer" };
        model.Opsets.Clear();
        model.Opsets.Add(new OnnxOpset("", 17));
        return model;
    }

    /// <summary>
    /// Mean image minus the spec's per-channel mean, in the network's channel order: the prologue subtracts the
    /// spec's mean, this subtracts the rest.
    /// </summary>
    private static float[] Residual(MeanImagePreprocess p, PreprocessSpec spec)
    {
        int hw = p.Height * p.Width;
        var networkMean = spec.Bgr ? spec.Mean.Reverse().ToArray() : spec.Mean;
        var r = new float[3 * hw];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < hw; i++) r[c * hw + i] = p.MeanImage[c * hw + i] - networkMean[c];
        return r;
    }

    private static void CheckSpec(MeanImagePreprocess p, PreprocessSpec spec)
    {
        if (p.Height != spec.Height || p.Width != spec.Width)
            throw new InvalidDataException($"The mean image is {p.Width}x{p.Height}, the spec says {spec.Width}x{spec.Height}.");
        bool rgb = p.ChannelOrder.SequenceEqual([0, 1, 2]);
        if (!(p.Bgr || rgb) || p.Bgr != spec.Bgr)
            throw new InvalidDataException($"The preprocessing orders channels [{string.Join(",", p.ChannelOrder)}], the spec says {(spec.Bgr ? "BGR" : "RGB")}.");
        if (spec.Std.Any(s => s != 1f)) throw new InvalidDataException("The preprocessing does not scale pixels; the spec's std must be 1.");
        var networkMean = spec.Bgr ? spec.Mean.Reverse().ToArray() : spec.Mean;
        var actual = p.ChannelMeans();
        for (int c = 0; c < 3; c++)
            if (Math.Abs(actual[c] - networkMean[c]) > MeanTolerance)
                throw new InvalidDataException($"Channel {c} of the mean image averages {actual[c]:0.000}, the spec says {networkMean[c]}.");
    }

    private static IEnumerable<OnnxAttribute> WithoutSpatial(OnnxNode n, string graphName)
    {
        if (n.Attribute("spatial") is { I: not 1 })
            throw new InvalidDataException($"{graphName}: BatchNormalization {n.Name} has spatial=0, which opset 9+ cannot express.");
        return n.Attrs.Where(a => a.Name != "spatial");
    }

    private static bool IsWholeMapPool(OnnxNode n) =>
        (n.Attribute("pads")?.Ints ?? []).All(p => p == 0) && (n.Attribute("strides")?.Ints ?? [1, 1]).All(s => s == 1)
        && n.Attribute("auto_pad") is null or { S: "NOTSET" or "VALID" or "" };
}

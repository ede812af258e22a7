using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.ImageNet;

/// <summary>
/// What a "subtract the mean image" preprocessing graph does, read from the graph itself (ML.NET's
/// <c>ResNetPreprocess.onnx</c>): <c>out[k,y,x] = in[ChannelOrder[k],y,x] - MeanImage[k,y,x]</c> on float NCHW pixels
/// in 0..255 (ML.NET's ExtractPixels order R,G,B). No scaling.
/// </summary>
/// <param name="ChannelOrder">Input channel feeding each output channel: [2,1,0] means the network wants BGR.</param>
/// <param name="MeanImage">[3,H,W] in the output (network) channel order.</param>
public sealed record MeanImagePreprocess(int[] ChannelOrder, float[] MeanImage, int Height, int Width)
{
    public bool Bgr => ChannelOrder.SequenceEqual([2, 1, 0]);

    /// <summary>Mean of each output channel of the mean image.</summary>
    public double[] ChannelMeans()
    {
        int hw = Height * Width;
        return [.. Enumerable.Range(0, 3).Select(c => MeanImage.AsSpan(c * hw, hw).ToArray().Average(v => (double)v))];
    }

    /// <summary>
    /// Reads the graph, which must be <c>Split(axis 1, 3 ways) -> Concat(axis 1, a channel permutation) -> Sub(constant
    /// [1,3,H,W])</c>; anything else is refused rather than guessed.
    /// </summary>
    public static MeanImagePreprocess Read(OnnxModel model, string source)
    {
        var g = model.Graph;
        InvalidDataException Unexpected(string why) =>
            new($"{source}: not the expected Split -> Concat -> Sub(mean image) preprocessing ({why}).");
        if (g.Inputs.Count(i => g.Initializers.All(t => t.Name != i.Name)) != 1 || g.Outputs.Count != 1) throw Unexpected("one input and one output expected");
        var input = g.Inputs.First(i => g.Initializers.All(t => t.Name != i.Name)).Name;
        if (g.Nodes.Count != 3) throw Unexpected($"{g.Nodes.Count} nodes");
        var split = g.Nodes.Single(n => n.OpType == "Split");
        var concat = g.Nodes.SingleOrDefault(n => n.OpType == "Concat") ?? throw Unexpected("no Concat");
        var sub = g.Nodes.SingleOrDefault(n => n.OpType == "Sub") ?? throw Unexpected("no Sub");
        if (split.Inputs[0] != input || split.Outputs.Count != 3 || split.Attribute("axis")?.I != 1) throw Unexpected("Split must cut the input's channel axis in 3");
        if (concat.Attribute("axis")?.I != 1 || concat.Inputs.Count != 3) throw Unexpected("Concat must join 3 channels on axis 1");
        var order = concat.Inputs.Select(i => split.Outputs.ToList().IndexOf(i)).ToArray();
        if (order.Any(o => o < 0) || order.Distinct().Count() != 3) throw Unexpected("Concat must permute the Split's outputs");
        if (sub.Inputs[0] != concat.Outputs[0] || sub.Outputs[0] != g.Outputs[0].Name) throw Unexpected("Sub must take the Concat and give the output");
        var mean = g.Initializers.SingleOrDefault(t => t.Name == sub.Inputs[1]) ?? throw Unexpected("Sub's second input is not a constant");
        if (mean.Type != OnnxDataType.Float || mean.Dims is not [1, 3, var h, var w]) throw Unexpected($"mean image is {mean.Type} [{string.Join(",", mean.Dims)}]");
        return new MeanImagePreprocess(order, mean.ToFloats(), checked((int)h), checked((int)w));
    }
}

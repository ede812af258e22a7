namespace Lookout.Core.Models.Onnx;

/// <summary>
/// Extends a large model stored as bytes with a small one: the result is <paramref name="extension"/>'s model (its
/// header, opsets, metadata, graph name, inputs and outputs, and its own nodes and weights) with the base model's
/// nodes and initializers copied in front of its own, byte for byte and never decoded.
/// </summary>
public static class OnnxSplice
{
    private const int ModelGraph = 7, GraphNode = 1, GraphInitializer = 5, NodeOutput = 2, NodeName = 3, TensorName = 8;

    public static byte[] Splice(byte[] baseModel, byte[] extension)
    {
        using var output = new MemoryStream();
        Splice(baseModel, extension, output);
        return output.ToArray();
    }

    public static void Splice(byte[] baseModel, byte[] extension, Stream output)
    {
        var baseGraph = Graph(baseModel);
        var extensionFields = OnnxWire.Fields(extension, 0, extension.Length);
        var extGraph = extensionFields.Single(f => f.Number == ModelGraph);
        var copied = OnnxWire.Fields(baseModel, baseGraph).Where(f => f.Number is GraphNode or GraphInitializer).ToList();
        long graphLength = copied.Sum(f => (long)(f.End - f.Start)) + (extGraph.End - extGraph.PayloadStart);

        foreach (var f in extensionFields)
        {
            if (f.Number != ModelGraph) { output.Write(extension, f.Start, f.End - f.Start); continue; }
            OnnxWire.WriteTag(output, ModelGraph, WireField.LengthDelimited);
            OnnxWire.WriteVarint(output, checked((ulong)graphLength));
            foreach (var c in copied) output.Write(baseModel, c.Start, c.End - c.Start);
            output.Write(extension, extGraph.PayloadStart, extGraph.End - extGraph.PayloadStart);
        }
    }

    /// <summary>Names the base graph's nodes and initializers use (tensor outputs, node names, weight names), so an extension can avoid them.</summary>
    public static HashSet<string> UsedNames(byte[] model)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in OnnxWire.Fields(model, Graph(model)))
        {
            if (f.Number == GraphNode)
            {
                foreach (var n in OnnxWire.Fields(model, f))
                    if (n.Number is NodeOutput or NodeName) names.Add(OnnxWire.String(model, n));
            }
            else if (f.Number == GraphInitializer)
            {
                foreach (var t in OnnxWire.Fields(model, f))
                    if (t.Number == TensorName) names.Add(OnnxWire.String(model, t));
            }
        }
        return names;
    }

    private static WireField Graph(byte[] model) =>
        OnnxWire.Fields(model, 0, model.Length).SingleOrDefault(f => f.Number == ModelGraph && f.WireType == WireField.LengthDelimited) is { End: > 0 } g
            ? g : throw new InvalidDataException("not an ONNX model: no graph");
}

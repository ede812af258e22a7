using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.OnnxTorch;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lookout.Core.Training.Detection;

/// <summary>
/// Splits a graph at its first trainable node (topological order) into a frozen trunk and a trainable tail. The trunk
/// (backbone and most of the neck, no gradient needed) runs in ONNX Runtime, which is several times faster than the
/// torch executor on a small CPU and right on every CPU; the tail runs in torch with gradients. Exporting writes the
/// tail's trained initializers back into the whole graph, so the result is still one ONNX file.
/// </summary>
public sealed class FrozenTrunk : IDisposable
{
    private readonly InferenceSession _session;

    public FrozenTrunk(OnnxModel model, Func<string, bool> trainable)
    {
        var g = model.Graph;
        var input = g.Inputs[0].Name;
        var order = GraphOrder.Topological(g, input);
        int cut = order.Select((n, i) => (n, i)).First(t => t.n.Inputs.Any(trainable)).i;
        var trunkNodes = order.Take(cut).ToList();
        var tailNodes = order.Skip(cut).ToList();
        var produced = trunkNodes.SelectMany(n => n.Outputs).ToHashSet(StringComparer.Ordinal);
        Features = tailNodes.SelectMany(n => n.Inputs).Where(produced.Contains).Distinct(StringComparer.Ordinal).ToList();
        if (Features.Contains(input)) throw new LookoutException("the trainable tail reads the raw image: nothing to freeze");

        var inits = g.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var trunk = Sub(model, trunkNodes, [g.Inputs[0]], Features.Select(f => new OnnxValueInfo(f, OnnxDataType.Float, null)).ToList(), inits);
        Tail = Sub(model, tailNodes, Features.Select(f => new OnnxValueInfo(f, OnnxDataType.Float, null)).ToList(), g.Outputs.ToList(), inits);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(OnnxWriter.Serialize(trunk), options);
        InputName = input;
    }

    public string InputName { get; }
    /// <summary>The trunk's outputs the tail reads (its inputs).</summary>
    public IReadOnlyList<string> Features { get; }
    /// <summary>The trainable part: inputs <see cref="Features"/>, outputs the whole graph's.</summary>
    public OnnxModel Tail { get; }

    /// <summary>The trunk's features for a uint8 [N,S,S,3] batch, as float arrays with their shapes.</summary>
    public IReadOnlyDictionary<string, (float[] Data, long[] Shape)> Run(byte[] pixels, int batch, int size)
    {
        var tensor = new DenseTensor<byte>(pixels, [batch, size, size, 3]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(InputName, tensor)], Features);
        return results.ToDictionary(r => r.Name, r =>
        {
            var t = r.AsTensor<float>();
            return (t.ToArray(), t.Dimensions.ToArray().Select(d => (long)d).ToArray());
        }, StringComparer.Ordinal);
    }

    /// <summary>The whole graph with the tail's (trained) initializers.</summary>
    public static OnnxModel Merge(OnnxModel whole, OnnxModel trainedTail)
    {
        var trained = trainedTail.Graph.Initializers.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var copy = Sub(whole, whole.Graph.Nodes, whole.Graph.Inputs, whole.Graph.Outputs, null);
        for (int i = 0; i < copy.Graph.Initializers.Count; i++)
            if (trained.TryGetValue(copy.Graph.Initializers[i].Name, out var t)) copy.Graph.Initializers[i] = t;
        return copy;
    }

    private static OnnxModel Sub(OnnxModel model, IReadOnlyList<OnnxNode> nodes, IReadOnlyList<OnnxValueInfo> inputs, IReadOnlyList<OnnxValueInfo> outputs,
        IReadOnlyDictionary<string, OnnxTensor>? inits)
    {
        var graph = new OnnxGraph { Name = model.Graph.Name };
        graph.Nodes.AddRange(nodes);
        graph.Inputs.AddRange(inputs);
        graph.Outputs.AddRange(outputs);
        if (inits is null) graph.Initializers.AddRange(model.Graph.Initializers);
        else
        {
            var used = nodes.SelectMany(n => n.Inputs).ToHashSet(StringComparer.Ordinal);
            graph.Initializers.AddRange(model.Graph.Initializers.Where(t => used.Contains(t.Name)));
        }
        var copy = new OnnxModel { IrVersion = model.IrVersion, ProducerName = model.ProducerName, ProducerVersion = model.ProducerVersion, Graph = graph };
        copy.Opsets.Clear();
        copy.Opsets.AddRange(model.Opsets);
        foreach (var (k, v) in model.Metadata) copy.Metadata[k] = v;
        return copy;
    }

    public void Dispose() => _session.Dispose();
}

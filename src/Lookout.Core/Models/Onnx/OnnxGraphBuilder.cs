namespace Lookout.Core.Models.Onnx;

/// <summary>
/// Appends nodes and constants to a graph with collision-free names, so graphs can be built or extended
/// (backbone + head at export) without hand-managing tensor names.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names;
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(OnnxGraph? graph = null, string prefix = "")
    {
        Graph = graph ?? new OnnxGraph();
        Prefix = prefix;
        _names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in Graph.Nodes) { _names.UnionWith(n.Outputs); if (n.Name.Length > 0) _names.Add(n.Name); }
        foreach (var t in Graph.Initializers) _names.Add(t.Name);
        foreach (var i in Graph.Inputs) _names.Add(i.Name);
    }

    public OnnxGraph Graph { get; }
    public string Prefix { get; }

    /// <summary>Names used elsewhere (a graph this one will be spliced onto) that new names must avoid.</summary>
    public OnnxGraphBuilder Reserve(IEnumerable<string> names)
    {
        _names.UnionWith(names);
        return this;
    }

    /// <summary>A name not yet used in the graph, derived from <paramref name="hint"/>.</summary>
    public string Unique(string hint)
    {
        var baseName = Prefix + hint;
        if (_names.Add(baseName)) return baseName;
        var n = _counters.GetValueOrDefault(baseName, 1);
        string candidate;
        do { candidate = $"{baseName}_{n++}"; } while (_names.Contains(candidate));
        _counters[baseName] = n;
        _names.Add(candidate);
        return candidate;
    }

    public string Constant(string hint, OnnxTensor tensor)
    {
        var name = Unique(hint);
        Graph.Initializers.Add(tensor.Renamed(name));
        return name;
    }

    public string Floats(string hint, float[] values, params long[] dims) => Constant(hint, OnnxTensor.FromFloats(hint, values, dims));
    public string Int64s(string hint, long[] values, params long[] dims) => Constant(hint, OnnxTensor.FromInt64s(hint, values, dims));

    /// <summary>Adds a single-output node and returns its output name.</summary>
    public string Node(string op, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Node(op, inputs, 1, attributes)[0];

    public string[] Node(string op, IReadOnlyList<string> inputs, int outputCount, params OnnxAttribute[] attributes)
    {
        var outputs = Enumerable.Range(0, outputCount).Select(i => Unique(outputCount == 1 ? op : $"{op}_out{i}")).ToArray();
        Graph.Nodes.Add(new OnnxNode(op, inputs.ToArray(), outputs, Unique($"{op}_node"), attributes));
        return outputs;
    }

    /// <summary>Adds a node whose outputs get exactly the given names (graph outputs, named embedding nodes).</summary>
    public void NodeNamed(string op, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes)
    {
        foreach (var o in outputs)
            if (!_names.Add(o)) throw new InvalidOperationException($"Tensor name '{o}' is already used in the graph.");
        Graph.Nodes.Add(new OnnxNode(op, inputs.ToArray(), outputs.ToArray(), Unique($"{op}_node"), attributes));
    }

    public void Input(string name, OnnxDataType type, params OnnxDim[] shape)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"Input name '{name}' is already used in the graph.");
        Graph.Inputs.Add(new OnnxValueInfo(name, type, shape));
    }

    public void Output(string name, OnnxDataType type, params OnnxDim[] shape) =>
        Graph.Outputs.Add(new OnnxValueInfo(name, type, shape));
}

namespace Lookout.Core.Models.TfJs;

/// <summary>Output <see cref="Index"/> of node <see cref="Node"/> ("x:1" in TF notation; "x" means index 0).</summary>
public readonly record struct TfRef(string Node, int Index)
{
    /// <summary>Parses "x", "x:N" (control dependencies "^x" must be filtered out before).</summary>
    public static TfRef Parse(string s)
    {
        int colon = s.LastIndexOf(':');
        if (colon > 0 && int.TryParse(s.AsSpan(colon + 1), out int index)) return new TfRef(s[..colon], index);
        return new TfRef(s, 0);
    }

    public override string ToString() => Index == 0 ? Node : $"{Node}:{Index}";
}

/// <summary>One graph node: op, data inputs (control dependencies already dropped) and attributes.</summary>
public sealed record TfNode(string Name, string Op, IReadOnlyList<TfRef> Inputs, IReadOnlyDictionary<string, TfAttr> Attrs)
{
    public TfAttr? Attr(string name) => Attrs.GetValueOrDefault(name);

    public TfAttr RequiredAttr(string name) => Attrs.GetValueOrDefault(name)
        ?? throw new InvalidDataException($"Node '{Name}' ({Op}) lacks attribute '{name}'.");
}

/// <summary>The model's declared inputs and outputs (node names with any ":N" suffix stripped).</summary>
public sealed record TfSignature(IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

/// <summary>A loaded TF.js graph model: nodes in topological order and every Const's decoded value.</summary>
public sealed record TfJsModel(IReadOnlyList<TfNode> Nodes, IReadOnlyDictionary<string, TfTensor> Constants, TfSignature Signature)
{
    private readonly Dictionary<string, TfNode> _byName = Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);

    public TfNode? Find(string name) => _byName.GetValueOrDefault(name);

    public TfNode Node(string name) => _byName.GetValueOrDefault(name)
        ?? throw new KeyNotFoundException($"The TF.js graph has no node named '{name}'.");
}

namespace Lookout.Core.Models.Onnx;

/// <summary>ONNX TensorProto.DataType values (onnx.proto).</summary>
public enum OnnxDataType
{
    Undefined = 0, Float = 1, Uint8 = 2, Int8 = 3, Uint16 = 4, Int16 = 5, Int32 = 6, Int64 = 7,
    String = 8, Bool = 9, Float16 = 10, Double = 11, Uint32 = 12, Uint64 = 13, Bfloat16 = 16,
}

/// <summary>One dimension of a value's shape: a fixed size, or a named symbolic size such as "N".</summary>
public readonly record struct OnnxDim(long? Value, string? Param)
{
    public static implicit operator OnnxDim(long value) => new(value, null);
    public static implicit operator OnnxDim(string param) => new(null, param);
    public override string ToString() => Value?.ToString() ?? Param ?? "?";
}

/// <summary>A graph input or output: name, element type and (optional) shape.</summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElemType, IReadOnlyList<OnnxDim>? Shape);

public sealed record OnnxNode(
    string OpType,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    string Name = "",
    IReadOnlyList<OnnxAttribute>? Attributes = null,
    string Domain = "")
{
    public IReadOnlyList<OnnxAttribute> Attrs => Attributes ?? [];
    public OnnxAttribute? Attribute(string name) => Attrs.FirstOrDefault(a => a.Name == name);
}

public sealed class OnnxGraph
{
    public string Name { get; set; } = "graph";
    public List<OnnxNode> Nodes { get; } = [];
    public List<OnnxTensor> Initializers { get; } = [];
    public List<OnnxValueInfo> Inputs { get; } = [];
    public List<OnnxValueInfo> Outputs { get; } = [];
}

public sealed record OnnxOpset(string Domain, long Version);

public sealed class OnnxModel
{
    public long IrVersion { get; set; } = 8;
    public List<OnnxOpset> Opsets { get; } = [new("", 17)];
    public string ProducerName { get; set; } = "lookout";
    public string ProducerVersion { get; set; } = "";
    public OnnxGraph Graph { get; set; } = new();
    /// <summary>metadata_props in insertion order (ONNX allows repeated keys; Lookout never writes them).</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public long DefaultOpset => Opsets.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
}

using Lookout.Core.Models.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Lookout.Core.Models.OnnxTorch.Ops;

/// <summary>One node's evaluation context: its resolved input tensors, attributes and the model's opset.</summary>
internal sealed class OpContext(OnnxNode node, Tensor?[] inputs, long opset, ScalarType floatType = ScalarType.Float32)
{
    /// <summary>What ONNX "float" computes in: Float32, or BFloat16 when the executor runs in reduced precision.</summary>
    public ScalarType FloatType { get; } = floatType;

    public OnnxNode Node { get; } = node;
    public long Opset { get; } = opset;
    public int InputCount => inputs.Length;

    /// <summary>A required input; a missing one is a malformed graph, reported with the node's name.</summary>
    public Tensor In(int i) => i < inputs.Length && inputs[i] is { } t
        ? t
        : throw Fail($"input {i} is required but missing");

    /// <summary>An optional input: absent when past the end, named "" or an empty tensor where that means "not given".</summary>
    public Tensor? Opt(int i) => i < inputs.Length ? inputs[i] : null;

    public long Int(string name, long fallback) => Node.Attribute(name)?.I ?? fallback;
    public float Float(string name, float fallback) => Node.Attribute(name) is { } a ? a.F : fallback;
    public string Str(string name, string fallback) => Node.Attribute(name)?.S ?? fallback;
    public long[]? Ints(string name) => Node.Attribute(name)?.Ints?.ToArray();
    public bool Has(string name) => Node.Attribute(name) is not null;

    public LookoutException Fail(string what) =>
        new($"ONNX node '{Node.Name}' ({Node.OpType}): {what}.");

    /// <summary>Reads a small integer tensor (shapes, axes, pads) into C# values.</summary>
    public static long[] Longs(Tensor t)
    {
        using var l = t.to_type(ScalarType.Int64);
        return l.data<long>().ToArray();
    }

    public static float[] Floats(Tensor t)
    {
        using var f = t.to_type(ScalarType.Float32);
        return f.data<float>().ToArray();
    }

    /// <summary>An axis that may be negative, made absolute for a tensor of the given rank.</summary>
    public long Axis(long axis, long rank)
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw Fail($"axis {axis} is out of range for rank {rank}");
        return a;
    }

    public static ScalarType DType(OnnxDataType t) => t switch
    {
        OnnxDataType.Float => ScalarType.Float32,
        OnnxDataType.Double => ScalarType.Float64,
        OnnxDataType.Float16 => ScalarType.Float16,
        OnnxDataType.Bfloat16 => ScalarType.BFloat16,
        OnnxDataType.Uint8 => ScalarType.Byte,
        OnnxDataType.Int8 => ScalarType.Int8,
        OnnxDataType.Int16 => ScalarType.Int16,
        OnnxDataType.Int32 => ScalarType.Int32,
        OnnxDataType.Int64 => ScalarType.Int64,
        OnnxDataType.Bool => ScalarType.Bool,
        _ => throw new LookoutException($"ONNX element type {t} is not supported by the TorchSharp executor."),
    };
}

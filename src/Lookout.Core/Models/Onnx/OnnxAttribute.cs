namespace Lookout.Core.Models.Onnx;

/// <summary>AttributeProto.AttributeType values (onnx.proto).</summary>
public enum OnnxAttributeType { Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8 }

/// <summary>A node attribute. Exactly one of the value fields is meaningful, as named by <see cref="Type"/>.</summary>
public sealed record OnnxAttribute(
    string Name,
    OnnxAttributeType Type,
    float F = 0,
    long I = 0,
    string? S = null,
    OnnxTensor? T = null,
    IReadOnlyList<float>? Floats = null,
    IReadOnlyList<long>? Ints = null,
    IReadOnlyList<string>? Strings = null,
    OnnxGraph? G = null)
{
    public static OnnxAttribute Of(string name, float value) => new(name, OnnxAttributeType.Float, F: value);
    public static OnnxAttribute Of(string name, long value) => new(name, OnnxAttributeType.Int, I: value);
    public static OnnxAttribute Of(string name, int value) => new(name, OnnxAttributeType.Int, I: value);
    public static OnnxAttribute Of(string name, string value) => new(name, OnnxAttributeType.String, S: value);
    public static OnnxAttribute Of(string name, OnnxTensor value) => new(name, OnnxAttributeType.Tensor, T: value);
    public static OnnxAttribute Of(string name, params long[] values) => new(name, OnnxAttributeType.Ints, Ints: values);
    public static OnnxAttribute Of(string name, params float[] values) => new(name, OnnxAttributeType.Floats, Floats: values);
    public static OnnxAttribute Of(string name, params string[] values) => new(name, OnnxAttributeType.Strings, Strings: values);
}

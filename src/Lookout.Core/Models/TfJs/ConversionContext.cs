using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.TfJs;

/// <summary>
/// State shared by the op converters: the ONNX graph being built, the TF value map, and layout materialisation
/// (inserting a Transpose, or transposing a constant's data, only when an op needs a particular layout).
/// </summary>
internal sealed class ConversionContext(OnnxGraphBuilder builder)
{
    private readonly Dictionary<TfRef, TfValue> _values = [];
    private readonly Dictionary<(string, string), string> _layoutCache = [];
    private readonly Dictionary<(TfTensor, int, string), string> _constCache = [];

    public OnnxGraphBuilder B { get; } = builder;

    /// <summary>
    /// How much the input's height and width were changed from the model's declared size (1 when kept). A resize to a
    /// constant size inside the graph (an FPN upsampling to the next level's grid) scales with it, so a detector
    /// converted at another input size still adds matching grids.
    /// </summary>
    public (double Height, double Width) InputScale { get; set; } = (1, 1);

    public void Set(TfRef r, TfValue v) => _values[r] = v;
    public bool Has(TfRef r) => _values.ContainsKey(r);

    public TfValue Get(TfNode node, int input)
    {
        if (input >= node.Inputs.Count) throw new TfJsFormatException($"Node '{node.Name}' ({node.Op}) has no input #{input}.");
        var r = node.Inputs[input];
        return _values.TryGetValue(r, out var v) ? v
            : throw new TfJsFormatException($"Node '{node.Name}' ({node.Op}) reads '{r}', which was not converted (output index out of range?).");
    }

    /// <summary>Input <paramref name="input"/> as a constant (axes, shapes, weights must be known when converting).</summary>
    public TfTensor Const(TfNode node, int input) => Get(node, input).Const
        ?? throw new TfJsFormatException($"Node '{node.Name}' ({node.Op}): input #{input} ('{node.Inputs[input]}') must be a constant, but it is computed at run time.");

    public string Emit(string op, IReadOnlyList<string> inputs, params OnnxAttribute[] attrs) => B.Node(op, inputs, attrs);
    public string[] Emit(string op, IReadOnlyList<string> inputs, int outputs, params OnnxAttribute[] attrs) => B.Node(op, inputs, outputs, attrs);

    public string Initializer(string hint, TfTensor t) => B.Constant(hint, ConstMath.ToOnnx(hint, t));
    public string Int64s(string hint, params long[] values) => B.Int64s(hint, values, values.Length);
    public string Scalar(string hint, float value) => B.Constant(hint, OnnxTensor.FromFloats(hint, [value]));

    /// <summary>The ONNX name of <paramref name="v"/> stored with layout <paramref name="perm"/> (a Transpose is added if needed).</summary>
    public string As(TfValue v, int[] perm)
    {
        if (v.Const is { } c) return ConstAs(c, v.Rank, perm);
        if (v.Perm.SequenceEqual(perm)) return v.Name!;
        var key = (v.Name!, string.Join(",", perm));
        if (_layoutCache.TryGetValue(key, out var cached)) return cached;
        var q = Perms.Between(v.Perm, perm).Select(i => (long)i).ToArray();
        return _layoutCache[key] = Emit("Transpose", [v.Name!], OnnxAttribute.Of("perm", q));
    }

    /// <summary>The value in its logical (TF) layout: what every layout-sensitive op (Reshape, Gather, ...) needs.</summary>
    public string Logical(TfValue v) => As(v, Perms.Identity(v.Rank));

    /// <summary>
    /// A constant prepared to broadcast against a rank-<paramref name="rank"/> tensor stored with <paramref name="perm"/>:
    /// rank-padded with leading ones, then its data transposed (a per-channel [C] becomes [1,C,1,1] for NCHW).
    /// </summary>
    public string ConstAs(TfTensor c, int rank, int[] perm)
    {
        var key = (c, rank, string.Join(",", perm));
        if (_constCache.TryGetValue(key, out var name)) return name;
        var data = c.Shape.Length == 0 ? c : ConstMath.Transpose(ConstMath.PadRank(c, perm.Length), perm);
        return _constCache[key] = Initializer("const", data);
    }

    public TfValue Var(string name, int[] perm, TfDType type, long[] shape) => new(name, perm, type, shape);
}

using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.TfJs.Ops;

/// <summary>Layout-agnostic ops: they keep whatever storage layout their input has.</summary>
internal static class ElementwiseOps
{
    public static void Register(Dictionary<string, OpConverter> map)
    {
        foreach (var (tf, onnx) in new[] { ("Relu", "Relu"), ("Sigmoid", "Sigmoid"), ("Tanh", "Tanh"), ("Exp", "Exp"),
                     ("Log", "Log"), ("Sqrt", "Sqrt"), ("Neg", "Neg"), ("Abs", "Abs"), ("Floor", "Floor"), ("Elu", "Elu"),
                     ("Softplus", "Softplus"), ("Reciprocal", "Reciprocal") })
            map[tf] = (n, c) => [Unary(n, c, onnx)];
        map["Identity"] = (n, c) => [c.Get(n, 0)];
        map["StopGradient"] = map["Identity"];
        map["Relu6"] = (n, c) => [Unary(n, c, "Clip", [c.Scalar("zero", 0f), c.Scalar("six", 6f)])];
        map["LeakyRelu"] = (n, c) => [Unary(n, c, "LeakyRelu", [], OnnxAttribute.Of("alpha", n.Attr("alpha")?.Float ?? 0.2f))];
        map["Rsqrt"] = (n, c) => { var s = Unary(n, c, "Sqrt"); return [s with { Name = c.Emit("Reciprocal", [s.Name!]) }]; };
        map["Cast"] = (n, c) =>
        {
            var x = c.Get(n, 0); var to = n.RequiredAttr("DstT").Type;
            return [new TfValue(c.Emit("Cast", [c.As(x, x.Perm)], OnnxAttribute.Of("to", (long)ConstMath.OnnxType(to))), x.Perm, to, x.Shape)];
        };
        map["Softmax"] = (n, c) =>
        {
            var x = c.Get(n, 0);
            var axis = Perms.PhysicalAxis(x.Perm, x.Rank - 1); // TF softmax is over the last logical axis
            return [x with { Name = c.Emit("Softmax", [c.As(x, x.Perm)], OnnxAttribute.Of("axis", (long)axis)), Const = null }];
        };

        foreach (var (tf, onnx) in new[] { ("Add", "Add"), ("AddV2", "Add"), ("BiasAdd", "Add"), ("Sub", "Sub"), ("Mul", "Mul"),
                     ("RealDiv", "Div"), ("Maximum", "Max"), ("Minimum", "Min"), ("Pow", "Pow") })
            map[tf] = (n, c) => [Binary(n, c, (a, b) => c.Emit(onnx, [a, b]), sameType: true)];
        foreach (var (tf, onnx) in new[] { ("Equal", "Equal"), ("Greater", "Greater"), ("Less", "Less"),
                     ("GreaterEqual", "GreaterOrEqual"), ("LessEqual", "LessOrEqual") })
            map[tf] = (n, c) => [Binary(n, c, (a, b) => c.Emit(onnx, [a, b]), sameType: false)];
        map["Square"] = (n, c) => { var x = c.Get(n, 0); var xs = c.As(x, x.Perm); return [x with { Name = c.Emit("Mul", [xs, xs]), Const = null }]; };
        map["Prelu"] = (n, c) => [Binary(n, c, (a, b) => c.Emit("PRelu", [a, b]), sameType: true)];
        map["AddN"] = (n, c) =>
        {
            var inputs = Enumerable.Range(0, n.Inputs.Count).Select(i => c.Get(n, i)).ToList();
            var lead = inputs.FirstOrDefault(v => !v.IsConst) ?? inputs[0];
            return [lead with { Name = c.Emit("Sum", inputs.Select(v => c.As(v, lead.Perm)).ToList()), Const = null }];
        };
        map["SquaredDifference"] = (n, c) => [Binary(n, c, (a, b) => { var d = c.Emit("Sub", [a, b]); return c.Emit("Mul", [d, d]); }, true)];
        map["FloorDiv"] = (n, c) => [Binary(n, c, (a, b) => IsFloat(n, c)
            ? c.Emit("Floor", [c.Emit("Div", [a, b])])
            : c.Emit("Div", [a, b]), true)]; // integer Div truncates; equals floor for the non-negative indices seen in TF.js decoders
        map["FloorMod"] = (n, c) => [Binary(n, c, (a, b) => IsFloat(n, c)
            ? c.Emit("Sub", [a, c.Emit("Mul", [c.Emit("Floor", [c.Emit("Div", [a, b])]), b])])
            : c.Emit("Mod", [a, b], OnnxAttribute.Of("fmod", 0L)), true)];
    }

    private static bool IsFloat(TfNode n, ConversionContext c) => c.Get(n, 0).DType == TfDType.Float32;

    private static TfValue Unary(TfNode n, ConversionContext c, string op, string[]? extra = null, params OnnxAttribute[] attrs)
    {
        var x = c.Get(n, 0);
        var name = c.As(x, x.Perm);
        return x with { Name = c.Emit(op, [name, .. extra ?? []], attrs), Const = null };
    }

    /// <summary>
    /// Two-input op with numpy broadcasting. The layout of the highest-rank computed input wins; constants are
    /// rank-padded and transposed to match, so per-channel [C] constants broadcast correctly in NCHW.
    /// </summary>
    internal static TfValue Binary(TfNode n, ConversionContext c, Func<string, string, string> emit, bool sameType)
    {
        var a = c.Get(n, 0); var b = c.Get(n, 1);
        var shape = ConstMath.BroadcastShape(a.Shape, b.Shape);
        var lead = new[] { a, b }.Where(v => !v.IsConst).OrderByDescending(v => v.Rank).FirstOrDefault() ?? (a.Rank >= b.Rank ? a : b);
        var perm = lead.Perm;
        // A lower-rank computed input cannot follow a non-trivial layout: fall back to the logical layout.
        if (new[] { a, b }.Any(v => !v.IsConst && v.Rank != lead.Rank) || a.Rank > lead.Rank || b.Rank > lead.Rank)
            perm = Perms.Identity(shape.Length);
        string Prepare(TfValue v) => v.IsConst ? c.ConstAs(v.Const!, perm.Length, perm)
            : v.Rank == perm.Length ? c.As(v, perm) : c.Logical(v);
        var type = sameType ? a.DType : TfDType.Bool;
        return new TfValue(emit(Prepare(a), Prepare(b)), perm, type, shape);
    }
}

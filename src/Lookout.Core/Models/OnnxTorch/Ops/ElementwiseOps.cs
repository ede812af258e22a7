using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Lookout.Core.Models.OnnxTorch.Ops;

/// <summary>Arithmetic, activations and casts. ONNX broadcasting is numpy's, which torch follows.</summary>
internal static class ElementwiseOps
{
    public static void Register(IDictionary<string, Func<OpContext, Tensor[]>> ops)
    {
        ops["Identity"] = c => [c.In(0).alias()];
        ops["Cast"] = c =>
        {
            var to = (Models.Onnx.OnnxDataType)c.Int("to", 1);
            return [c.In(0).to_type(to == Models.Onnx.OnnxDataType.Float ? c.FloatType : OpContext.DType(to), copy: true)];
        };
        ops["Add"] = c => [c.In(0) + c.In(1)];
        ops["Sub"] = c => [c.In(0) - c.In(1)];
        ops["Mul"] = c => [c.In(0) * c.In(1)];
        ops["Div"] = Div;
        ops["Neg"] = c => [-c.In(0)];
        ops["Abs"] = c => [c.In(0).abs()];
        ops["Sqrt"] = c => [c.In(0).sqrt()];
        ops["Exp"] = c => [c.In(0).exp()];
        ops["Pow"] = c => [c.In(0).pow(c.In(1))];
        ops["Tanh"] = c => [c.In(0).tanh()];
        ops["Relu"] = c => [F.relu(c.In(0))];
        ops["Sigmoid"] = c => [c.In(0).sigmoid()];
        ops["LeakyRelu"] = c => [F.leaky_relu(c.In(0), c.Float("alpha", 0.01f))];
        ops["HardSigmoid"] = c => [(c.In(0) * c.Float("alpha", 0.2f) + c.Float("beta", 0.5f)).clamp(0, 1)];
        ops["HardSwish"] = c => [F.hardswish(c.In(0))];
        ops["Clip"] = Clip;
        ops["Min"] = c => [Fold(c, torch.minimum)];
        ops["Max"] = c => [Fold(c, torch.maximum)];
        ops["Softmax"] = Softmax;
    }

    private static Tensor[] Div(OpContext c)
    {
        var a = c.In(0); var b = c.In(1);
        // ONNX integer division truncates; torch's "/" would promote to float.
        bool integral = !a.is_floating_point() && !b.is_floating_point();
        return [integral ? torch.div(a, b, RoundingMode.trunc) : a / b];
    }

    private static Tensor[] Clip(OpContext c)
    {
        var x = c.In(0);
        double? lo, hi;
        if (c.Opset >= 11)
        {
            lo = c.Opt(1) is { } mn ? OpContext.Floats(mn)[0] : null;
            hi = c.Opt(2) is { } mx ? OpContext.Floats(mx)[0] : null;
        }
        else
        {
            lo = c.Has("min") ? c.Float("min", 0) : null;
            hi = c.Has("max") ? c.Float("max", 0) : null;
        }
        if (lo is null && hi is null) return [x.alias()];
        if (lo is null) return [x.clamp_max(hi!.Value)];
        if (hi is null) return [x.clamp_min(lo.Value)];
        return [x.clamp(lo.Value, hi.Value)];
    }

    private static Tensor Fold(OpContext c, Func<Tensor, Tensor, Tensor> f)
    {
        var acc = c.In(0).alias();
        for (int i = 1; i < c.InputCount; i++)
        {
            var next = f(acc, c.In(i));
            acc.Dispose();
            acc = next;
        }
        return acc;
    }

    private static Tensor[] Softmax(OpContext c)
    {
        var x = c.In(0);
        if (c.Opset >= 13) return [F.softmax(x, c.Axis(c.Int("axis", -1), x.dim()))];
        // Before opset 13 Softmax flattened the input to 2-D at "axis" and normalised each row.
        var axis = c.Axis(c.Int("axis", 1), x.dim());
        var shape = x.shape;
        long rows = shape.Take((int)axis).Aggregate(1L, (p, d) => p * d);
        using var flat = x.reshape(rows, -1);
        using var sm = F.softmax(flat, 1);
        return [sm.reshape(shape)];
    }
}

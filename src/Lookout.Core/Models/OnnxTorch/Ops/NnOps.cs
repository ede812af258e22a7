using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Lookout.Core.Models.OnnxTorch.Ops;

/// <summary>Convolution, pooling, dense layers and reductions (2-D spatial, NCHW, as ONNX defines them).</summary>
internal static class NnOps
{
    public static void Register(IDictionary<string, Func<OpContext, Tensor[]>> ops)
    {
        ops["Conv"] = Conv;
        ops["MaxPool"] = MaxPool;
        ops["AveragePool"] = AveragePool;
        ops["GlobalAveragePool"] = c => [c.In(0).mean(SpatialDims(c.In(0)), keepdim: true)];
        ops["GlobalMaxPool"] = c => [c.In(0).amax(SpatialDims(c.In(0)), keepdim: true)];
        ops["ReduceMean"] = c => Reduce(c, (x, d, k) => x.mean(d, k));
        ops["ReduceSum"] = c => Reduce(c, (x, d, k) => x.sum(d, k));
        ops["ReduceMax"] = c => Reduce(c, (x, d, k) => x.amax(d, k));
        ops["Gemm"] = Gemm;
        ops["MatMul"] = c => [torch.matmul(c.In(0), c.In(1))];
        ops["BatchNormalization"] = BatchNorm;
    }

    private static long[] SpatialDims(Tensor x) => Enumerable.Range(2, (int)x.dim() - 2).Select(i => (long)i).ToArray();

    private static void Require2D(OpContext c, Tensor x)
    {
        if (x.dim() != 4) throw c.Fail($"only 2-D spatial (4-D NCHW) inputs are supported, got rank {x.dim()}");
    }

    private static Tensor[] Conv(OpContext c)
    {
        var x = c.In(0); var w = c.In(1); var b = c.Opt(2);
        Require2D(c, x);
        var kernel = c.Ints("kernel_shape") ?? [w.shape[2], w.shape[3]];
        var strides = c.Ints("strides") ?? [1, 1];
        var dilations = c.Ints("dilations") ?? [1, 1];
        var pads = Padding.Resolve(c, x, kernel, strides, dilations);
        var group = c.Int("group", 1);
        if (pads.Symmetric)
            return [F.conv2d(x, w, b, strides, [pads.Top, pads.Left], dilations, group)];
        // torch's conv only pads symmetrically; asymmetric (SAME on even sizes) pads explicitly first.
        using var padded = F.pad(x, pads.TorchOrder());
        return [F.conv2d(padded, w, b, strides, [0, 0], dilations, group)];
    }

    private static Tensor[] MaxPool(OpContext c)
    {
        var x = c.In(0);
        Require2D(c, x);
        var kernel = c.Ints("kernel_shape") ?? throw c.Fail("kernel_shape is required");
        var strides = c.Ints("strides") ?? [1, 1];
        var dilations = c.Ints("dilations") ?? [1, 1];
        var pads = Padding.Resolve(c, x, kernel, strides, dilations);
        bool ceil = c.Int("ceil_mode", 0) != 0;
        if (pads.IsZero) return [F.max_pool2d(x, kernel, strides, [0, 0], dilations, ceil)];
        // ONNX pads MaxPool with -inf (never selected); explicit padding also covers asymmetric pads.
        using var padded = F.pad(x, pads.TorchOrder(), value: double.NegativeInfinity);
        return [F.max_pool2d(padded, kernel, strides, [0, 0], dilations, ceil)];
    }

    private static Tensor[] AveragePool(OpContext c)
    {
        var x = c.In(0);
        Require2D(c, x);
        var kernel = c.Ints("kernel_shape") ?? throw c.Fail("kernel_shape is required");
        var strides = c.Ints("strides") ?? [1, 1];
        var pads = Padding.Resolve(c, x, kernel, strides, [1, 1]);
        bool ceil = c.Int("ceil_mode", 0) != 0;
        bool includePad = c.Int("count_include_pad", 0) != 0;
        if (pads.IsZero) return [F.avg_pool2d(x, kernel, strides, [0, 0], ceil, count_include_pad: false)];
        using var padded = F.pad(x, pads.TorchOrder());
        if (includePad) return [F.avg_pool2d(padded, kernel, strides, [0, 0], ceil, count_include_pad: true)];
        // Excluding pads with asymmetric padding: average of the padded input divided by the average of a padded
        // ones-mask = sum over real pixels / count of real pixels, for every window.
        using var ones = torch.ones(1, 1, x.shape[2], x.shape[3], dtype: x.dtype);
        using var mask = F.pad(ones, pads.TorchOrder());
        using var sum = F.avg_pool2d(padded, kernel, strides, [0, 0], ceil, count_include_pad: true);
        using var count = F.avg_pool2d(mask, kernel, strides, [0, 0], ceil, count_include_pad: true);
        return [sum / count];
    }

    private static Tensor[] Reduce(OpContext c, Func<Tensor, long[], bool, Tensor> reduce)
    {
        var x = c.In(0);
        bool keep = c.Int("keepdims", 1) != 0;
        // Axes moved from an attribute to an input in opset 18 (ReduceSum: 13).
        long[]? axes = c.Ints("axes") ?? (c.Opt(1) is { } a ? OpContext.Longs(a) : null);
        if (axes is null || axes.Length == 0)
        {
            if (c.Int("noop_with_empty_axes", 0) != 0) return [x.alias()];
            axes = Enumerable.Range(0, (int)x.dim()).Select(i => (long)i).ToArray();
        }
        var dims = axes.Select(a => c.Axis(a, x.dim())).ToArray();
        return [reduce(x, dims, keep)];
    }

    private static Tensor[] Gemm(OpContext c)
    {
        var a = c.In(0); var b = c.In(1); var bias = c.Opt(2);
        using var at = c.Int("transA", 0) != 0 ? a.t() : a.alias();
        using var bt = c.Int("transB", 0) != 0 ? b.t() : b.alias();
        var y = torch.matmul(at, bt);
        float alpha = c.Float("alpha", 1f), beta = c.Float("beta", 1f);
        if (alpha != 1f) { var s = y * alpha; y.Dispose(); y = s; }
        if (bias is not null && beta != 0f)
        {
            var r = beta == 1f ? y + bias : y + bias * beta;
            y.Dispose();
            y = r;
        }
        return [y];
    }

    private static Tensor[] BatchNorm(OpContext c)
    {
        // Inference form only (the graphs Lookout runs are exported for inference): y = (x - mean) / sqrt(var + eps) * scale + b.
        var x = c.In(0);
        var shape = new long[x.dim()]; Array.Fill(shape, 1L); shape[1] = -1;
        double eps = c.Float("epsilon", 1e-5f);
        using var scale = c.In(1).reshape(shape); using var bias = c.In(2).reshape(shape);
        using var mean = c.In(3).reshape(shape); using var variance = c.In(4).reshape(shape);
        using var inv = (variance + eps).rsqrt();
        using var centred = x - mean;
        using var normed = centred * inv;
        using var scaled = normed * scale;
        return [scaled + bias];
    }
}

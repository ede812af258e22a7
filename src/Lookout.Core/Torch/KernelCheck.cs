using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Lookout.Core.Torch;

/// <summary>One probe that disagreed with the reference: which op, which shape, how far off.</summary>
public sealed record KernelMismatch(string Probe, double RelativeError);

/// <summary>The outcome of <see cref="KernelCheck.Run"/>: empty <see cref="Mismatches"/> means libtorch computed every probe right.</summary>
public sealed record KernelCheckResult(IReadOnlyList<KernelMismatch> Mismatches)
{
    public bool Passed => Mismatches.Count == 0;
    public KernelMismatch? Worst => Mismatches.MaxBy(m => double.IsNaN(m.RelativeError) ? double.MaxValue : m.RelativeError);
}

/// <summary>
/// Computes a few small convolutions (forward, weight and input gradients; dense, strided, depthwise, pointwise, and
/// channel counts that are not multiples of the SIMD width) and matmuls, in float32 and bfloat16, with libtorch and
/// with <see cref="ReferenceKernels"/>, and lists every probe that disagrees. The shapes are the ones that exposed
/// wrong oneDNN results on AMD Zen 5 (channel tails that need zero-padded blocked layouts); a few milliseconds in all.
/// </summary>
public static class KernelCheck
{
    private const double Float32Tolerance = 1e-4;   // relative to the largest reference value
    private const double BFloat16Tolerance = 3e-2;  // 8-bit mantissa: right results land near 4e-3

    private static readonly ConvShape[] Float32Convs =
    [
        new(2, 3, 17, 17, 24, 3, 2, 1, 1),   // a stem: RGB in, stride 2
        new(2, 20, 9, 9, 20, 3, 1, 1, 1),    // 20 channels: a tail after one 16-wide block
        new(2, 33, 7, 7, 17, 3, 1, 1, 1),    // tails on both sides
        new(2, 24, 9, 9, 24, 3, 2, 1, 24),   // depthwise
        new(2, 24, 9, 9, 40, 1, 1, 0, 1),    // pointwise
    ];

    private static readonly ConvShape[] BFloat16Convs =
    [
        new(2, 3, 9, 9, 20, 3, 1, 1, 1),
        new(2, 20, 9, 9, 16, 3, 1, 1, 1),
        new(2, 32, 9, 9, 32, 3, 1, 1, 32),
    ];

    public static KernelCheckResult Run()
    {
        var random = new Random(20261202);
        var mismatches = new List<KernelMismatch>();
        void Judge(string probe, float[] actual, double[] expected, double tolerance)
        {
            double error = RelativeError(actual, expected);
            if (!(error <= tolerance)) mismatches.Add(new KernelMismatch(probe, error)); // NaN fails too
        }

        using var scope = torch.NewDisposeScope();
        foreach (var shape in Float32Convs)
        {
            var (x, w, g) = (Random(random, shape.InputLength), Random(random, shape.WeightLength), Random(random, shape.OutputLength));
            var (y, dx, dw) = TorchConv(shape, x, w, g, ScalarType.Float32);
            Judge($"{shape} float32", y, ReferenceKernels.Conv(shape, x, w), Float32Tolerance);
            Judge($"{shape} float32 weight gradient", dw, ReferenceKernels.ConvWeightGrad(shape, x, g), Float32Tolerance);
            Judge($"{shape} float32 input gradient", dx, ReferenceKernels.ConvInputGrad(shape, w, g), Float32Tolerance);
        }
        foreach (var shape in BFloat16Convs)
        {
            // Rounded to bf16 first, so the reference sees the same inputs and only the arithmetic is judged.
            var (x, w, g) = (BFloat16Round(Random(random, shape.InputLength)), BFloat16Round(Random(random, shape.WeightLength)), Random(random, shape.OutputLength));
            var (y, _, _) = TorchConv(shape, x, w, g, ScalarType.BFloat16);
            Judge($"{shape} bfloat16", y, ReferenceKernels.Conv(shape, x, w), BFloat16Tolerance);
        }
        const int m = 7, k = 33, n = 20;
        var a = BFloat16Round(Random(random, m * k)); var b = BFloat16Round(Random(random, k * n));
        var expected = ReferenceKernels.MatMul(a, b, m, k, n);
        foreach (var (type, tolerance) in new[] { (ScalarType.Float32, Float32Tolerance), (ScalarType.BFloat16, BFloat16Tolerance) })
        {
            using var product = torch.matmul(torch.tensor(a).reshape(m, k).to(type), torch.tensor(b).reshape(k, n).to(type));
            Judge($"matmul {m}x{k}x{n} {type.ToString().ToLowerInvariant()}", Floats(product), expected, tolerance);
        }
        return new KernelCheckResult(mismatches);
    }

    private static (float[] Y, float[] InputGrad, float[] WeightGrad) TorchConv(ConvShape s, float[] x, float[] w, float[] g, ScalarType type)
    {
        using var scope = torch.NewDisposeScope();
        var xt = torch.tensor(x).reshape(s.Batch, s.InChannels, s.Height, s.Width).to(type).requires_grad_(true);
        var wt = torch.tensor(w).reshape(s.OutChannels, s.InChannels / s.Groups, s.Kernel, s.Kernel).to(type).requires_grad_(true);
        var y = F.conv2d(xt, wt, null, [s.Stride, s.Stride], [s.Pad, s.Pad], [1, 1], s.Groups);
        var gt = torch.tensor(g).reshape(y.shape).to(type);
        (y * gt).sum().backward();
        return (Floats(y), Floats(xt.grad!), Floats(wt.grad!));
    }

    private static float[] Floats(Tensor t) => t.detach().to(ScalarType.Float32).contiguous().data<float>().ToArray();

    private static float[] Random(Random random, int length)
    {
        var v = new float[length];
        for (int i = 0; i < length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }

    private static float[] BFloat16Round(float[] v)
    {
        using var t = torch.tensor(v).to(ScalarType.BFloat16).to(ScalarType.Float32);
        return t.data<float>().ToArray();
    }

    internal static double RelativeError(float[] actual, double[] expected)
    {
        if (actual.Length != expected.Length) return double.NaN;
        double maxDiff = 0, maxRef = 1e-12;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            if (double.IsNaN(diff)) return double.NaN;
            maxDiff = Math.Max(maxDiff, diff);
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxDiff / maxRef;
    }
}

using static TorchSharp.torch;

namespace Lookout.Core.Models.OnnxTorch.Ops;

/// <summary>Resolved 2-D padding of a conv or pool: explicit <c>pads</c> or <c>auto_pad</c> SAME_UPPER/SAME_LOWER/VALID.</summary>
internal readonly record struct Padding(long Top, long Left, long Bottom, long Right)
{
    public bool Symmetric => Top == Bottom && Left == Right;
    public bool IsZero => Top == 0 && Left == 0 && Bottom == 0 && Right == 0;

    /// <summary>torch's F.pad order: last dimension first, (begin, end) pairs.</summary>
    public long[] TorchOrder() => [Left, Right, Top, Bottom];

    public static Padding Resolve(OpContext c, Tensor x, long[] kernel, long[] strides, long[] dilations)
    {
        var mode = c.Str("auto_pad", "NOTSET");
        switch (mode)
        {
            case "NOTSET" or "":
                var p = c.Ints("pads") ?? [0, 0, 0, 0];
                if (p.Length != 4) throw c.Fail($"pads must have 4 values for 2-D, got {p.Length}");
                return new Padding(p[0], p[1], p[2], p[3]);
            case "VALID":
                return new Padding(0, 0, 0, 0);
            case "SAME_UPPER" or "SAME_LOWER":
                var (top, bottom) = Same(x.shape[2], kernel[0], strides[0], dilations[0], mode == "SAME_UPPER");
                var (left, right) = Same(x.shape[3], kernel[1], strides[1], dilations[1], mode == "SAME_UPPER");
                return new Padding(top, left, bottom, right);
            default:
                throw c.Fail($"auto_pad '{mode}' is not supported");
        }
    }

    /// <summary>SAME: output = ceil(n/s); the odd pixel goes at the end (UPPER) or the beginning (LOWER).</summary>
    private static (long Begin, long End) Same(long n, long k, long s, long d, bool upper)
    {
        long outSize = (n + s - 1) / s;
        long total = Math.Max((outSize - 1) * s + (k - 1) * d + 1 - n, 0);
        long small = total / 2, large = total - small;
        return upper ? (small, large) : (large, small);
    }
}

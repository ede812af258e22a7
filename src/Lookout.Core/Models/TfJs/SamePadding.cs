namespace Lookout.Core.Models.TfJs;

/// <summary>
/// TF's SAME padding for one spatial axis: output ceil(n/s); total = max((ceil(n/s)-1)*s + k_eff - n, 0); the odd
/// extra pixel goes at the END (begin = floor(total/2)). Symmetric padding would shift every stride-2 layer by a pixel.
/// </summary>
public static class SamePadding
{
    public static (long Begin, long End) For(long size, long kernel, long stride, long dilation = 1)
    {
        long effective = (kernel - 1) * dilation + 1;
        long outSize = (size + stride - 1) / stride;
        long total = Math.Max((outSize - 1) * stride + effective - size, 0);
        return (total / 2, total - total / 2);
    }

    /// <summary>Output size of a SAME or VALID window op; -1 when the input size is unknown.</summary>
    public static long OutputSize(long size, long kernel, long stride, long dilation, bool same)
    {
        if (size < 0) return -1;
        if (same) return (size + stride - 1) / stride;
        long effective = (kernel - 1) * dilation + 1;
        return (size - effective) / stride + 1;
    }
}

namespace Lookout.Core.Torch;

/// <summary>Shape of a 2-D convolution (NCHW input, OIHW weights, symmetric padding, square kernel).</summary>
internal sealed record ConvShape(int Batch, int InChannels, int Height, int Width, int OutChannels, int Kernel, int Stride, int Pad, int Groups)
{
    public int OutHeight => (Height + 2 * Pad - Kernel) / Stride + 1;
    public int OutWidth => (Width + 2 * Pad - Kernel) / Stride + 1;
    public int InputLength => Batch * InChannels * Height * Width;
    public int WeightLength => OutChannels * (InChannels / Groups) * Kernel * Kernel;
    public int OutputLength => Batch * OutChannels * OutHeight * OutWidth;
    public override string ToString() =>
        $"conv {InChannels}->{OutChannels} k{Kernel} s{Stride} p{Pad}{(Groups > 1 ? $" g{Groups}" : "")} on {Batch}x{Height}x{Width}";
}

/// <summary>
/// Plain loops in double precision: slow, obviously right, and independent of any numeric library, so they can judge
/// libtorch's kernels on a CPU nobody tested them on.
/// </summary>
internal static class ReferenceKernels
{
    public static double[] Conv(ConvShape s, float[] x, float[] w)
    {
        var y = new double[s.OutputLength];
        ForEachTap(s, (yi, xi, wi) => y[yi] += x[xi] * (double)w[wi]);
        return y;
    }

    /// <summary>d(sum(y * g))/dw: the weight gradient a training step needs.</summary>
    public static double[] ConvWeightGrad(ConvShape s, float[] x, float[] g)
    {
        var dw = new double[s.WeightLength];
        ForEachTap(s, (yi, xi, wi) => dw[wi] += g[yi] * (double)x[xi]);
        return dw;
    }

    /// <summary>d(sum(y * g))/dx: the gradient earlier trainable layers receive.</summary>
    public static double[] ConvInputGrad(ConvShape s, float[] w, float[] g)
    {
        var dx = new double[s.InputLength];
        ForEachTap(s, (yi, xi, wi) => dx[xi] += g[yi] * (double)w[wi]);
        return dx;
    }

    public static double[] MatMul(float[] a, float[] b, int m, int k, int n)
    {
        var y = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int q = 0; q < k; q++) sum += a[i * k + q] * (double)b[q * n + j];
                y[i * n + j] = sum;
            }
        return y;
    }

    /// <summary>Calls <paramref name="tap"/>(output index, input index, weight index) for every multiply of the convolution.</summary>
    private static void ForEachTap(ConvShape s, Action<int, int, int> tap)
    {
        int inPerGroup = s.InChannels / s.Groups, outPerGroup = s.OutChannels / s.Groups;
        for (int b = 0; b < s.Batch; b++)
        for (int o = 0; o < s.OutChannels; o++)
        {
            int group = o / outPerGroup;
            for (int i = 0; i < s.OutHeight; i++)
            for (int j = 0; j < s.OutWidth; j++)
            {
                int yi = ((b * s.OutChannels + o) * s.OutHeight + i) * s.OutWidth + j;
                for (int c = 0; c < inPerGroup; c++)
                for (int u = 0; u < s.Kernel; u++)
                for (int v = 0; v < s.Kernel; v++)
                {
                    int row = i * s.Stride - s.Pad + u, col = j * s.Stride - s.Pad + v;
                    if (row < 0 || row >= s.Height || col < 0 || col >= s.Width) continue;
                    int xi = ((b * s.InChannels + group * inPerGroup + c) * s.Height + row) * s.Width + col;
                    int wi = ((o * inPerGroup + c) * s.Kernel + u) * s.Kernel + v;
                    tap(yi, xi, wi);
                }
            }
        }
    }
}

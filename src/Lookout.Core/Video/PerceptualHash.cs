using System.Numerics;
using Lookout.Core.Imaging;

namespace Lookout.Core.Video;

/// <summary>
/// 64-bit difference hash (dHash): the image is reduced to 9x8 grey cells by area averaging and each bit says
/// whether a cell is brighter than its right neighbour. Robust to scaling, compression and small brightness
/// changes; near-identical frames differ by a few bits (Hamming distance).
/// </summary>
public static class PerceptualHash
{
    public static ulong DHash(RgbImage image)
    {
        if (image.Width < 1 || image.Height < 1) throw new ArgumentException("empty image", nameof(image));
        var cells = Downscale(image, 9, 8);
        ulong hash = 0;
        int bit = 0;
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++, bit++)
                if (cells[y * 9 + x] > cells[y * 9 + x + 1]) hash |= 1UL << bit;
        return hash;
    }

    public static int Distance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    /// <summary>Mean luma of each cell of a cols x rows grid; each source pixel goes to exactly one cell.</summary>
    private static double[] Downscale(RgbImage image, int cols, int rows)
    {
        var sum = new double[cols * rows];
        var count = new int[cols * rows];
        var px = image.Pixels;
        for (int y = 0; y < image.Height; y++)
        {
            int cy = (int)((long)y * rows / image.Height);
            for (int x = 0; x < image.Width; x++)
            {
                int cx = (int)((long)x * cols / image.Width);
                int i = (y * image.Width + x) * 3;
                sum[cy * cols + cx] += 0.299 * px[i] + 0.587 * px[i + 1] + 0.114 * px[i + 2];
                count[cy * cols + cx]++;
            }
        }
        // Images narrower than the grid leave some cells empty; copy the left neighbour so they add no bits.
        for (int i = 0; i < sum.Length; i++)
            sum[i] = count[i] > 0 ? sum[i] / count[i] : (i % cols > 0 ? sum[i - 1] : 0);
        return sum;
    }
}

namespace Lookout.Core.Studio.Media;

/// <summary>
/// Focus measures on a grey image (one byte per pixel, row-major). Sharpness is the variance of the 4-neighbour
/// Laplacian over the interior (Pech-Pacheco et al. 2000): edges give large second derivatives, so motion blur and
/// defocus lower it. Measured on a fixed-size thumbnail, so values compare across photos of any resolution.
/// </summary>
public static class Sharpness
{
    public static double VarianceOfLaplacian(ReadOnlySpan<byte> grey, int width, int height)
    {
        if (grey.Length < width * height) throw new ArgumentException("buffer smaller than width x height", nameof(grey));
        if (width < 3 || height < 3) return 0;
        double sum = 0, sumSq = 0;
        long n = 0;
        for (int y = 1; y < height - 1; y++)
        {
            int row = y * width;
            for (int x = 1; x < width - 1; x++)
            {
                int i = row + x;
                int lap = grey[i - 1] + grey[i + 1] + grey[i - width] + grey[i + width] - 4 * grey[i];
                sum += lap;
                sumSq += (double)lap * lap;
                n++;
            }
        }
        double mean = sum / n;
        return Math.Max(0, sumSq / n - mean * mean);
    }

    /// <summary>Standard deviation of the grey levels: near zero for a flat (empty) picture.</summary>
    public static double Contrast(ReadOnlySpan<byte> grey)
    {
        if (grey.IsEmpty) return 0;
        double sum = 0, sumSq = 0;
        foreach (var g in grey) { sum += g; sumSq += g * g; }
        double mean = sum / grey.Length;
        return Math.Sqrt(Math.Max(0, sumSq / grey.Length - mean * mean));
    }

    /// <summary>ITU-R BT.601 luma of interleaved RGB.</summary>
    public static byte[] Grey(ReadOnlySpan<byte> rgb)
    {
        var grey = new byte[rgb.Length / 3];
        for (int i = 0, j = 0; i < grey.Length; i++, j += 3)
            grey[i] = (byte)((299 * rgb[j] + 587 * rgb[j + 1] + 114 * rgb[j + 2] + 500) / 1000);
        return grey;
    }
}

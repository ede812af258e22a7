using Lookout.Core.Imaging;
using NetVips;

namespace Lookout.Core.Datasets.Synthetic;

/// <summary>Encodes RGB or grey pixels as PNG bytes (libvips).</summary>
public static class Png
{
    public static byte[] Encode(RgbImage image)
    {
        using var vips = Image.NewFromMemory(image.Pixels, image.Width, image.Height, 3, Enums.BandFormat.Uchar);
        return vips.PngsaveBuffer(compression: 6);
    }

    public static byte[] EncodeGrey(ReadOnlySpan<byte> pixels, int width, int height)
    {
        using var vips = Image.NewFromMemory(pixels.ToArray(), width, height, 1, Enums.BandFormat.Uchar);
        return vips.PngsaveBuffer(compression: 6);
    }
}

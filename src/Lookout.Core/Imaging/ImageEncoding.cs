using NetVips;

namespace Lookout.Core.Imaging;

/// <summary>Encodes decoded RGB pixels for reports and previews (libvips).</summary>
public static class ImageEncoding
{
    public static byte[] Png(RgbImage image)
    {
        using var vips = Image.NewFromMemory(image.Pixels, image.Width, image.Height, 3, Enums.BandFormat.Uchar);
        return vips.PngsaveBuffer(compression: 6);
    }

    public static byte[] Jpeg(RgbImage image, int quality = 85)
    {
        using var vips = Image.NewFromMemory(image.Pixels, image.Width, image.Height, 3, Enums.BandFormat.Uchar);
        return vips.JpegsaveBuffer(q: quality);
    }

    /// <summary>A thumbnail of a file that keeps the whole picture (letterboxed into a square).</summary>
    public static RgbImage Thumbnail(string path, int size = 128) =>
        ImageLoader.Load(path, new PreprocessSpec { Width = size, Height = size, Resize = ResizeMode.Letterbox });
}

using Lookout.Core.Imaging;
using Lookout.Core.Video;
using NetVips;

namespace Lookout.Core.Studio.Media;

/// <summary>A grid thumbnail (JPEG) and the pixel facts measured on the same decode.</summary>
public sealed record Thumbnail(byte[] Jpeg, MediaFacts Facts);

/// <summary>
/// Decodes an image ONCE, shrink-on-load, to fit <see cref="Side"/> pixels (EXIF orientation applied), and derives
/// from that one decode the JPEG the grid shows, the sharpness, the contrast and the dHash.
/// </summary>
public static class Thumbnailer
{
    public const int Side = 256;

    public static Thumbnail Make(string path, ImageLimits? limits = null)
    {
        var rgb = Decode(ImageSource.FromFile(path, limits), limits);
        return new Thumbnail(Encode(rgb), Measure(rgb));
    }

    /// <summary>A larger view of a picture (EXIF orientation applied, at most <paramref name="maxSide"/> px) for editing boxes on it.</summary>
    public static byte[] View(string path, int maxSide, ImageLimits? limits = null) =>
        Encode(ImageDecoder.Decode(ImageSource.FromFile(path, limits), ImageTarget.Within(maxSide), limits).Pixels);

    /// <summary>Sharpness and the other facts of an image given as bytes (an upload to classify), on the same thumbnail scale.</summary>
    public static MediaFacts Measure(byte[] image, ImageLimits? limits = null) => Measure(Decode(ImageSource.FromBytes(image), limits));

    public static MediaFacts Measure(RgbImage rgb)
    {
        var grey = Sharpness.Grey(rgb.Pixels);
        return new MediaFacts(Sharpness.VarianceOfLaplacian(grey, rgb.Width, rgb.Height), Sharpness.Contrast(grey),
            PerceptualHash.DHash(rgb), rgb.Width, rgb.Height);
    }

    /// <summary>The shared decode path (limits, EXIF orientation, every format), shrunk to fit the thumbnail box.</summary>
    private static RgbImage Decode(ImageSource source, ImageLimits? limits) =>
        ImageDecoder.Decode(source, ImageTarget.Within(Side), limits).Pixels;

    private static byte[] Encode(RgbImage rgb)
    {
        using var image = Image.NewFromMemory(rgb.Pixels, rgb.Width, rgb.Height, 3, Enums.BandFormat.Uchar);
        return image.JpegsaveBuffer(q: 82, optimizeCoding: true);
    }
}

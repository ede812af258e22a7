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
        limits ??= ImageLimits.Default;
        var rgb = Decode(path, limits);
        return new Thumbnail(Encode(rgb), Measure(rgb));
    }

    /// <summary>Sharpness and the other facts of an image given as bytes (an upload to classify), on the same thumbnail scale.</summary>
    public static MediaFacts Measure(byte[] image, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        if (ImageSniffer.Format(image) == "bmp") return Measure(ImageLoader.Load(image, BoxSpec, limits));
        ImageLoader.CheckBytes(image, "upload", limits);
        try
        {
            using var thumb = Image.ThumbnailBuffer(image, Side, height: Side, failOn: Enums.FailOn.Error);
            return Measure(ToRgb(thumb));
        }
        catch (VipsException e) { throw ImageLoader.Classify("upload", e); }
    }

    public static MediaFacts Measure(RgbImage rgb)
    {
        var grey = Sharpness.Grey(rgb.Pixels);
        return new MediaFacts(Sharpness.VarianceOfLaplacian(grey, rgb.Width, rgb.Height), Sharpness.Contrast(grey),
            PerceptualHash.DHash(rgb), rgb.Width, rgb.Height);
    }

    private static readonly PreprocessSpec BoxSpec = new() { Width = Side, Height = Side, Resize = ResizeMode.Letterbox };

    private static RgbImage Decode(string path, ImageLimits limits)
    {
        ImageLoader.CheckFile(path, limits);
        byte[] head = new byte[16];
        using (var s = File.OpenRead(path)) head = head[..s.ReadAtLeast(head, 16, throwOnEndOfStream: false)];
        // The bundled libvips has no BMP loader: BMP goes through Lookout's own decoder, boxed to the same size.
        if (ImageSniffer.Format(head) == "bmp") return ImageLoader.Load(path, BoxSpec, limits);
        try
        {
            var size = ImageLoader.ReadSize(path);
            if ((long)size.Width * size.Height > limits.MaxPixels)
                throw new ImageDecodeException(path, ImageProblem.TooManyPixels, $"{size.Width}x{size.Height} is over the pixel limit");
            using var thumb = Image.Thumbnail(path, Side, height: Side, failOn: Enums.FailOn.Error);
            return ToRgb(thumb);
        }
        catch (VipsException e) { throw ImageLoader.Classify(path, e); }
    }

    private static RgbImage ToRgb(Image thumb)
    {
        using var rgb = ImageLoader.ToRgb8(thumb);
        return new RgbImage(rgb.Width, rgb.Height, rgb.WriteToMemory<byte>());
    }

    private static byte[] Encode(RgbImage rgb)
    {
        using var image = Image.NewFromMemory(rgb.Pixels, rgb.Width, rgb.Height, 3, Enums.BandFormat.Uchar);
        return image.JpegsaveBuffer(q: 82, optimizeCoding: true);
    }
}

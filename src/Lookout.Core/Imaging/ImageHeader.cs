using NetVips;

namespace Lookout.Core.Imaging;

/// <summary>
/// What an encoded image claims about itself, read and checked before any pixel is decoded: the format (by magic
/// bytes; extensions and Content-Type are never trusted), the stored size and the EXIF orientation.
/// </summary>
public sealed record ImageHeader(string Format, int Width, int Height, int Orientation = 1)
{
    public const string SupportedFormats = "jpeg, png, webp, gif, bmp, tiff";

    /// <summary>EXIF orientations 5-8 turn the picture sideways: the displayed size swaps the axes.</summary>
    public bool SwapsAxes => Orientation is >= 5 and <= 8;
    /// <summary>Width as the image is displayed (EXIF orientation applied): the frame boxes are reported in.</summary>
    public int DisplayWidth => SwapsAxes ? Height : Width;
    public int DisplayHeight => SwapsAxes ? Width : Height;

    /// <summary>
    /// Checks size, format and the pixel limit, and reads the header. Throws <see cref="ImageDecodeException"/>;
    /// the decoder starts with exactly this, so a header that passes here is the one the pixels are decoded from.
    /// </summary>
    public static ImageHeader Read(ImageSource source, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        var data = source.Bytes;
        if (data.Length == 0) throw new ImageDecodeException(source.Name, ImageProblem.Empty, "empty image");
        if (data.Length > limits.MaxFileBytes)
            throw new ImageDecodeException(source.Name, ImageProblem.TooLarge, $"image is {data.Length / (1024 * 1024)} MB, limit {limits.MaxFileBytes / (1024 * 1024)} MB");
        var format = ImageSniffer.Format(data)
            ?? throw new ImageDecodeException(source.Name, ImageProblem.NotAnImage, $"not a supported image format ({SupportedFormats})");
        var header = format == "bmp" ? FromBmp(data, source.Name) : FromVips(data, format, source.Name);
        long pixels = (long)header.Width * header.Height;
        if (pixels > limits.MaxPixels)
            throw new ImageDecodeException(source.Name, ImageProblem.TooManyPixels,
                $"{header.Width}x{header.Height} is {pixels / 1_000_000.0:0.#} MP, limit {limits.MaxPixels / 1_000_000.0:0.#} MP");
        return header;
    }

    /// <summary>The displayed size of encoded bytes (checked as <see cref="Read"/> does, default limits).</summary>
    public static (int Width, int Height) DisplaySize(byte[] data, string sourceName = "upload")
    {
        var header = Read(ImageSource.FromBytes(data, sourceName));
        return (header.DisplayWidth, header.DisplayHeight);
    }

    private static ImageHeader FromBmp(byte[] data, string name)
    {
        var bmp = BmpDecoder.ReadHeader(data, name);
        return new ImageHeader("bmp", bmp.Width, bmp.Height);
    }

    private static ImageHeader FromVips(byte[] data, string format, string name)
    {
        try
        {
            VipsDecoding.EnsureConfigured();
            using var image = Image.NewFromBuffer(data, VipsDecoding.FailOnError, access: Enums.Access.Sequential);
            // libvips sniffs on its own; a loader other than the one our magic bytes named means the bytes are lying.
            if (!((string)image.Get("vips-loader")).StartsWith(format, StringComparison.Ordinal))
                throw new ImageDecodeException(name, ImageProblem.NotAnImage, $"not a supported image format ({SupportedFormats})");
            int orientation = image.GetTypeOf("orientation") != IntPtr.Zero ? (int)image.Get("orientation") : 1;
            return new ImageHeader(format, image.Width, image.Height, orientation is >= 1 and <= 8 ? orientation : 1);
        }
        catch (VipsException e) { throw VipsDecoding.Corrupt(name, format, e); }
    }
}

using NetVips;

namespace Lookout.Core.Imaging;

/// <summary>
/// What an encoded image claims about itself, read and checked before any pixel is decoded: the format (by magic
/// bytes; extensions and Content-Type are never trusted), the stored size and the EXIF orientation.
/// </summary>
public sealed record ImageHeader(string Format, int Width, int Height, int Orientation = 1)
{
    /// <summary>
    /// Bytes the decoder must hold for the whole frame (0 when it streams rows): GIF canvases, WebP frames, interlaced
    /// PNG passes and progressive JPEG coefficients are full size whatever the output size.
    /// </summary>
    public long WholeFrameBytes { get; init; }

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
        // WebP's claimed canvas is checked before libvips sees the bytes (see WebpCanvas).
        if (format == "webp" && WebpCanvas.Peek(data) is var (w, h)) Check(source.Name, Webp(w, h), limits);
        var header = format == "bmp" ? FromBmp(data, source.Name) : FromVips(data, format, source.Name);
        Check(source.Name, header, limits);
        return header;
    }

    private static void Check(string name, ImageHeader header, ImageLimits limits)
    {
        long pixels = (long)header.Width * header.Height;
        if (pixels > limits.MaxPixels)
            throw new ImageDecodeException(name, ImageProblem.TooManyPixels,
                $"{header.Width}x{header.Height} is {pixels / 1_000_000.0:0.#} MP, limit {limits.MaxPixels / 1_000_000.0:0.#} MP");
        if (header.WholeFrameBytes > limits.MaxWholeFrameBytes)
            throw new ImageDecodeException(name, ImageProblem.TooManyPixels,
                $"a {header.Width}x{header.Height} {header.Variant} is decoded whole ({Mb(header.WholeFrameBytes)} MB), limit {Mb(limits.MaxWholeFrameBytes)} MB");
    }

    /// <summary>The displayed size of encoded bytes (checked as <see cref="Read"/> does, default limits).</summary>
    public static (int Width, int Height) DisplaySize(byte[] data, string sourceName = "upload")
    {
        var header = Read(ImageSource.FromBytes(data, sourceName));
        return (header.DisplayWidth, header.DisplayHeight);
    }

    /// <summary>How the format is named in a reason (e.g. "progressive JPEG").</summary>
    public string Variant { get; init; } = "";

    private static long Mb(long bytes) => (bytes + (1 << 20) - 1) >> 20;

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
            // (An Ultra HDR JPEG, as recent phones write, is a JPEG with a gain map: libvips' uhdrload reads its SDR image.)
            var loader = (string)image.Get("vips-loader");
            if (!loader.StartsWith(format, StringComparison.Ordinal) && !(format == "jpeg" && loader.StartsWith("uhdrload", StringComparison.Ordinal)))
                throw new ImageDecodeException(name, ImageProblem.NotAnImage, $"not a supported image format ({SupportedFormats})");
            int orientation = image.GetTypeOf("orientation") != IntPtr.Zero ? (int)image.Get("orientation") : 1;
            var (variant, bytesPerPixel) = WholeFrame(image, format);
            return new ImageHeader(format, image.Width, image.Height, orientation is >= 1 and <= 8 ? orientation : 1)
            {
                Variant = variant,
                WholeFrameBytes = (long)Math.Ceiling((double)image.Width * image.Height * bytesPerPixel),
            };
        }
        catch (VipsException e) { throw VipsDecoding.Corrupt(name, format, e); }
    }

    private const int WebpBytesPerPixel = 4; // the RGBA frame

    private static ImageHeader Webp(int width, int height) =>
        new("webp", width, height) { Variant = "WebP", WholeFrameBytes = (long)width * height * WebpBytesPerPixel };

    /// <summary>The decoder's full-frame memory per pixel, measured on libvips 8.18 (0 = rows are streamed).</summary>
    private static (string Variant, double BytesPerPixel) WholeFrame(Image header, string format)
    {
        bool Flag(string name) => header.GetTypeOf(name) != IntPtr.Zero && Convert.ToInt32(header.Get(name)) != 0;
        int bytesPerSample = header.GetTypeOf("bits-per-sample") != IntPtr.Zero && Convert.ToInt32(header.Get("bits-per-sample")) > 8 ? 2 : 1;
        return format switch
        {
            "gif" => ("GIF", 5),                                                  // canvas + frame, RGBA
            "webp" => ("WebP", WebpBytesPerPixel),
            "png" when Flag("interlaced") => ("interlaced PNG", header.Bands * bytesPerSample),
            "jpeg" when Flag("jpeg-multiscan") => ("progressive JPEG", 2 * header.Bands), // 16-bit DCT coefficients
            _ => (format.ToUpperInvariant(), 0),
        };
    }
}

using NetVips;

namespace Lookout.Core.Imaging;

/// <summary>
/// The one function that turns an image file or buffer into a model input (resized uint8 RGB) for a
/// <see cref="PreprocessSpec"/>. Uses libvips thumbnailing: JPEG/WebP shrink-on-load decode straight to about the
/// target size, EXIF orientation applied, alpha flattened onto white, any colourspace converted to sRGB.
/// </summary>
public static class ImageLoader
{
    /// <summary>Grey used for letterbox padding (the YOLO convention).</summary>
    public const byte LetterboxFill = 114;

    /// <summary>The checks before any decoding: the file exists, is not empty and not over the size limit.</summary>
    internal static void CheckFile(string path, ImageLimits limits)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new ImageDecodeException(path, ImageProblem.Missing, "file not found");
        if (info.Length == 0) throw new ImageDecodeException(path, ImageProblem.Empty, "empty file");
        if (info.Length > limits.MaxFileBytes)
            throw new ImageDecodeException(path, ImageProblem.TooLarge, $"file is {info.Length / (1024 * 1024)} MB, limit {limits.MaxFileBytes / (1024 * 1024)} MB");
    }

    /// <summary>The checks before decoding a buffer: not empty, not over the size limit, an image format by its magic bytes.</summary>
    internal static void CheckBytes(byte[] data, string sourceName, ImageLimits limits)
    {
        if (data.Length == 0) throw new ImageDecodeException(sourceName, ImageProblem.Empty, "empty image");
        if (data.Length > limits.MaxFileBytes)
            throw new ImageDecodeException(sourceName, ImageProblem.TooLarge, $"image is {data.Length / (1024 * 1024)} MB, limit {limits.MaxFileBytes / (1024 * 1024)} MB");
        if (!ImageSniffer.LooksLikeImage(data))
            throw new ImageDecodeException(sourceName, ImageProblem.NotAnImage, "not a supported image format (jpeg, png, webp, gif, bmp, tiff)");
    }

    public static RgbImage Load(string path, PreprocessSpec spec, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        CheckFile(path, limits);
        if (StartsLikeBmp(path)) return LoadBmp(File.ReadAllBytes(path), path, spec, limits);
        return Decode(path, () => Image.NewFromFile(path, access: Enums.Access.Sequential),
            () => ThumbnailFile(path, spec), spec, limits);
    }

    public static RgbImage Load(byte[] data, PreprocessSpec spec, ImageLimits? limits = null, string sourceName = "upload")
    {
        limits ??= ImageLimits.Default;
        CheckBytes(data, sourceName, limits);
        if (ImageSniffer.Format(data) == "bmp") return LoadBmp(data, sourceName, spec, limits);
        return Decode(sourceName, () => Image.NewFromBuffer(data, access: Enums.Access.Sequential),
            () => ThumbnailBuffer(data, spec), spec, limits);
    }

    /// <summary>Reads only the header: width, height (as stored, before EXIF rotation). Throws like <see cref="Load(string, PreprocessSpec, ImageLimits?)"/>.</summary>
    public static (int Width, int Height) ReadSize(string path)
    {
        if (StartsLikeBmp(path)) return BmpDecoder.ReadSize(ReadHead(path, 2048), path);
        try
        {
            using var header = Image.NewFromFile(path, access: Enums.Access.Sequential);
            return (header.Width, header.Height);
        }
        catch (VipsException e) { throw Classify(path, e); }
    }

    private static RgbImage Decode(string source, Func<Image> openHeader, Func<Image> thumbnail, PreprocessSpec spec, ImageLimits limits)
    {
        try
        {
            using (var header = openHeader())
            {
                long pixels = (long)header.Width * header.Height;
                if (pixels > limits.MaxPixels)
                    throw new ImageDecodeException(source, ImageProblem.TooManyPixels,
                        $"{header.Width}x{header.Height} is {pixels / 1_000_000.0:0.#} MP, limit {limits.MaxPixels / 1_000_000.0:0.#} MP");
            }
            using var thumb = thumbnail();
            using var fitted = Fit(thumb, spec);
            using var rgb = ToRgb8(fitted);
            if (rgb.Width != spec.Width || rgb.Height != spec.Height)
                throw new ImageDecodeException(source, ImageProblem.Corrupt, $"decoded to {rgb.Width}x{rgb.Height}, expected {spec.Width}x{spec.Height}");
            var bytes = rgb.WriteToMemory<byte>();
            return new RgbImage(rgb.Width, rgb.Height, bytes);
        }
        catch (VipsException e) { throw Classify(source, e); }
    }

    /// <summary>BMP goes through <see cref="BmpDecoder"/> (the bundled libvips has no BMP loader), then the same fitting.</summary>
    private static RgbImage LoadBmp(byte[] data, string source, PreprocessSpec spec, ImageLimits limits)
    {
        var rgb = BmpDecoder.Decode(data, source, limits);
        using var decoded = Image.NewFromMemory(rgb.Pixels, rgb.Width, rgb.Height, 3, Enums.BandFormat.Uchar);
        return Decode(source, () => decoded.Copy(), () => ThumbnailImage(decoded, spec), spec, limits);
    }

    private static bool StartsLikeBmp(string path) => ImageSniffer.Format(ReadHead(path, 16)) == "bmp";

    private static byte[] ReadHead(string path, int count)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[count];
        int n = stream.ReadAtLeast(head, count, throwOnEndOfStream: false);
        return head[..n];
    }

    private static Image ThumbnailImage(Image image, PreprocessSpec spec) => spec.Resize switch
    {
        ResizeMode.ShorterSideCenterCrop => image.ThumbnailImage(spec.Width, height: spec.Height, crop: Enums.Interesting.Centre),
        ResizeMode.Stretch => image.ThumbnailImage(spec.Width, height: spec.Height, size: Enums.Size.Force),
        _ => image.ThumbnailImage(spec.Width, height: spec.Height),
    };

    private static Image ThumbnailFile(string path, PreprocessSpec spec) => spec.Resize switch
    {
        ResizeMode.ShorterSideCenterCrop => Image.Thumbnail(path, spec.Width, spec.Height, crop: Enums.Interesting.Centre, failOn: Enums.FailOn.Error),
        ResizeMode.Stretch => Image.Thumbnail(path, spec.Width, spec.Height, size: Enums.Size.Force, failOn: Enums.FailOn.Error),
        _ => Image.Thumbnail(path, spec.Width, spec.Height, failOn: Enums.FailOn.Error),
    };

    private static Image ThumbnailBuffer(byte[] data, PreprocessSpec spec) => spec.Resize switch
    {
        ResizeMode.ShorterSideCenterCrop => Image.ThumbnailBuffer(data, spec.Width, height: spec.Height, crop: Enums.Interesting.Centre, failOn: Enums.FailOn.Error),
        ResizeMode.Stretch => Image.ThumbnailBuffer(data, spec.Width, height: spec.Height, size: Enums.Size.Force, failOn: Enums.FailOn.Error),
        _ => Image.ThumbnailBuffer(data, spec.Width, height: spec.Height, failOn: Enums.FailOn.Error),
    };

    /// <summary>Letterbox pads the fitted thumbnail to the exact size; the other modes already are exact.</summary>
    private static Image Fit(Image thumb, PreprocessSpec spec)
    {
        if (spec.Resize != ResizeMode.Letterbox || (thumb.Width == spec.Width && thumb.Height == spec.Height))
            return thumb.Copy();
        using var rgb = ToRgb8(thumb);
        return rgb.Gravity(Enums.CompassDirection.Centre, spec.Width, spec.Height,
            extend: Enums.Extend.Background, background: [LetterboxFill, LetterboxFill, LetterboxFill]);
    }

    /// <summary>Any band count, format and colourspace -> 3-band 8-bit sRGB.</summary>
    internal static Image ToRgb8(Image image)
    {
        var img = image;
        var owned = new List<Image>();
        try
        {
            if (img.HasAlpha()) { img = img.Flatten(background: [255, 255, 255]); owned.Add(img); }
            if (img.Interpretation != Enums.Interpretation.Srgb || img.Bands != 3)
            {
                img = img.Colourspace(Enums.Interpretation.Srgb); owned.Add(img);
            }
            if (img.Bands > 3) { img = img.ExtractBand(0, n: 3); owned.Add(img); }
            if (img.Format != Enums.BandFormat.Uchar) { img = img.Cast(Enums.BandFormat.Uchar); owned.Add(img); }
            var result = img.Copy();
            return result;
        }
        finally
        {
            foreach (var o in owned) o.Dispose();
        }
    }

    internal static ImageDecodeException Classify(string source, VipsException e)
    {
        var msg = e.Message;
        if (msg.Contains("is not a known file format", StringComparison.OrdinalIgnoreCase) || msg.Contains("not a known", StringComparison.OrdinalIgnoreCase))
            return new ImageDecodeException(source, ImageProblem.NotAnImage, "not a supported image format", e);
        var firstLine = msg.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? msg;
        return new ImageDecodeException(source, ImageProblem.Corrupt, $"corrupt or truncated image ({firstLine})", e);
    }
}

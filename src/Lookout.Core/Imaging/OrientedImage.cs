using NetVips;

namespace Lookout.Core.Imaging;

/// <summary>
/// The image as a person sees it (EXIF orientation applied): its size, and its pixels bounded to a maximum side.
/// Detectors report boxes in these coordinates; face crops and annotations are taken from these pixels.
/// </summary>
public static class OrientedImage
{
    /// <summary>Width and height after EXIF rotation, read from the header only.</summary>
    public static (int Width, int Height) ReadSize(string path)
    {
        try
        {
            using var header = Image.NewFromFile(path, access: Enums.Access.Sequential);
            return Oriented(header);
        }
        catch (VipsException e) { throw ImageLoader.Classify(path, e); }
    }

    public static (int Width, int Height) ReadSize(byte[] data, string sourceName = "upload")
    {
        try
        {
            using var header = Image.NewFromBuffer(data, access: Enums.Access.Sequential);
            return Oriented(header);
        }
        catch (VipsException e) { throw ImageLoader.Classify(sourceName, e); }
    }

    /// <summary>
    /// Decodes (shrink-on-load) so that neither side exceeds <paramref name="maxSide"/>; never upscales. Same checks as
    /// <see cref="ImageLoader"/> (limits, format sniffing, corrupt files -> <see cref="ImageDecodeException"/>).
    /// </summary>
    public static RgbImage Load(string path, int maxSide, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        ImageLoader.CheckFile(path, limits);
        try
        {
            using (var header = Image.NewFromFile(path, access: Enums.Access.Sequential)) CheckPixels(path, header, limits);
            using var thumb = Image.Thumbnail(path, maxSide, height: maxSide, size: Enums.Size.Down, failOn: Enums.FailOn.Error);
            return ToRgbImage(thumb);
        }
        catch (VipsException e) { throw ImageLoader.Classify(path, e); }
    }

    public static RgbImage Load(byte[] data, int maxSide, ImageLimits? limits = null, string sourceName = "upload")
    {
        limits ??= ImageLimits.Default;
        ImageLoader.CheckBytes(data, sourceName, limits);
        try
        {
            using (var header = Image.NewFromBuffer(data, access: Enums.Access.Sequential)) CheckPixels(sourceName, header, limits);
            using var thumb = Image.ThumbnailBuffer(data, maxSide, height: maxSide, size: Enums.Size.Down, failOn: Enums.FailOn.Error);
            return ToRgbImage(thumb);
        }
        catch (VipsException e) { throw ImageLoader.Classify(sourceName, e); }
    }

    /// <summary>The same decompression-bomb guard as <see cref="ImageLoader"/>, from the header alone.</summary>
    private static void CheckPixels(string source, Image header, ImageLimits limits)
    {
        long pixels = (long)header.Width * header.Height;
        if (pixels > limits.MaxPixels)
            throw new ImageDecodeException(source, ImageProblem.TooManyPixels,
                $"{header.Width}x{header.Height} is {pixels / 1_000_000.0:0.#} MP, limit {limits.MaxPixels / 1_000_000.0:0.#} MP");
    }

    private static RgbImage ToRgbImage(Image image)
    {
        using var rgb = ImageLoader.ToRgb8(image);
        return new RgbImage(rgb.Width, rgb.Height, rgb.WriteToMemory<byte>());
    }

    /// <summary>EXIF orientations 5-8 swap width and height.</summary>
    private static (int, int) Oriented(Image header)
    {
        int orientation = header.GetTypeOf("orientation") != 0 ? (int)header.Get("orientation") : 1;
        return orientation is >= 5 and <= 8 ? (header.Height, header.Width) : (header.Width, header.Height);
    }
}

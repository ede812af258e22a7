namespace Lookout.Core.Imaging;

/// <summary>
/// A model's input (resized uint8 RGB for a <see cref="PreprocessSpec"/>) from a file or a buffer: shorthand for
/// <see cref="ImageDecoder.Decode"/>, the one decode path every caller shares.
/// </summary>
public static class ImageLoader
{
    /// <summary>Grey used for letterbox padding (the YOLO convention).</summary>
    public const byte LetterboxFill = 114;

    public static RgbImage Load(string path, PreprocessSpec spec, ImageLimits? limits = null) =>
        ImageDecoder.Decode(ImageSource.FromFile(path, limits), ImageTarget.For(spec), limits).Pixels;

    public static RgbImage Load(byte[] data, PreprocessSpec spec, ImageLimits? limits = null, string sourceName = "upload") =>
        ImageDecoder.Decode(ImageSource.FromBytes(data, sourceName), ImageTarget.For(spec), limits).Pixels;

    /// <summary>Width and height as stored (before EXIF rotation), from the checked header; nothing is decoded.</summary>
    public static (int Width, int Height) ReadSize(string path)
    {
        var header = ImageHeader.Read(ImageSource.FromFile(path));
        return (header.Width, header.Height);
    }
}

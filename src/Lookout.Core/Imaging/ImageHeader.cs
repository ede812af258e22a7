using NetVips;

namespace Lookout.Core.Imaging;

/// <summary>Header-only facts about an encoded image (no pixels decoded).</summary>
public static class ImageHeader
{
    /// <summary>
    /// Width and height as the image is displayed, i.e. after EXIF orientation (5-8 swap the axes) — the
    /// coordinate frame boxes are reported in. Call after <see cref="ImageLoader.Load(byte[], PreprocessSpec, ImageLimits?, string)"/>
    /// has accepted the bytes.
    /// </summary>
    public static (int Width, int Height) DisplaySize(byte[] data)
    {
        try
        {
            using var header = Image.NewFromBuffer(data, access: Enums.Access.Sequential);
            int orientation = header.Contains("orientation") ? (int)header.Get("orientation") : 1;
            return orientation is >= 5 and <= 8 ? (header.Height, header.Width) : (header.Width, header.Height);
        }
        catch (VipsException e)
        {
            throw new ImageDecodeException("upload", ImageProblem.Corrupt, "corrupt image header", e);
        }
    }
}

using NetVips;

namespace Lookout.Core.Imaging;

/// <summary>
/// Video and camera frames: fitted to a <see cref="PreprocessSpec"/> by <see cref="ImageDecoder.Fit"/> (the same plan
/// and libvips calls as files, so a frame and the same frame saved losslessly give the model identical input bytes),
/// shrunk for display, encoded.
/// </summary>
public static class FrameFitter
{
    public static RgbImage Fit(RgbImage frame, PreprocessSpec spec) => ImageDecoder.Fit(frame, ImageTarget.For(spec));

    /// <summary>Scales a frame to at most <paramref name="maxSide"/> on its longer side (aspect kept, never up).</summary>
    public static RgbImage Shrink(RgbImage frame, int maxSide)
    {
        if (Math.Max(frame.Width, frame.Height) <= maxSide) return frame;
        double scale = (double)maxSide / Math.Max(frame.Width, frame.Height);
        using var raw = Image.NewFromMemory(frame.Pixels, frame.Width, frame.Height, 3, Enums.BandFormat.Uchar);
        using var small = raw.Resize(scale);
        return new RgbImage(small.Width, small.Height, small.WriteToMemory<byte>());
    }

    /// <summary>Encodes pixels as JPEG or PNG (by <paramref name="extension"/>, e.g. ".jpg[Q=85]").</summary>
    public static byte[] Encode(RgbImage image, string extension)
    {
        using var raw = Image.NewFromMemory(image.Pixels, image.Width, image.Height, 3, Enums.BandFormat.Uchar);
        using var srgb = raw.Copy(interpretation: Enums.Interpretation.Srgb);
        return srgb.WriteToBuffer(extension);
    }
}

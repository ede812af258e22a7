using NetVips;

namespace Lookout.Core.Imaging;

/// <summary>
/// Fits decoded pixels (a video frame, a camera image) to a <see cref="PreprocessSpec"/> with the same libvips
/// resize policy <see cref="ImageLoader"/> applies to files, so a frame and the same frame saved losslessly as an
/// image give the model identical input bytes.
/// </summary>
public static class FrameFitter
{
    public static RgbImage Fit(RgbImage frame, PreprocessSpec spec)
    {
        if (frame.Pixels.Length < frame.ByteCount)
            throw new ArgumentException($"frame has {frame.Pixels.Length} bytes, {frame.Width}x{frame.Height} RGB needs {frame.ByteCount}", nameof(frame));
        using var raw = Image.NewFromMemory(frame.Pixels, frame.Width, frame.Height, 3, Enums.BandFormat.Uchar);
        using var srgb = raw.Copy(interpretation: Enums.Interpretation.Srgb);
        using var thumb = spec.Resize switch
        {
            ResizeMode.ShorterSideCenterCrop => srgb.ThumbnailImage(spec.Width, height: spec.Height, crop: Enums.Interesting.Centre),
            ResizeMode.Stretch => srgb.ThumbnailImage(spec.Width, height: spec.Height, size: Enums.Size.Force),
            _ => srgb.ThumbnailImage(spec.Width, height: spec.Height),
        };
        using var fitted = spec.Resize == ResizeMode.Letterbox && (thumb.Width != spec.Width || thumb.Height != spec.Height)
            ? thumb.Gravity(Enums.CompassDirection.Centre, spec.Width, spec.Height, extend: Enums.Extend.Background,
                background: [ImageLoader.LetterboxFill, ImageLoader.LetterboxFill, ImageLoader.LetterboxFill])
            : thumb.Copy();
        return new RgbImage(fitted.Width, fitted.Height, fitted.WriteToMemory<byte>());
    }

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

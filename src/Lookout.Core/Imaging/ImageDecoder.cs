using NetVips;

namespace Lookout.Core.Imaging;

/// <summary>Decoded pixels fitted to a target, and the size of the image they came from as it is displayed.</summary>
public sealed record DecodedImage(RgbImage Pixels, int Width, int Height);

/// <summary>
/// The one way encoded bytes (a file is read into bytes first) become pixels, for every caller: training, classify,
/// detect, faces, scan, the server's routes, reports, the camera folder watcher. So an upload and the same file get
/// the same verdict and the same pixels. Steps: <see cref="ImageHeader.Read"/> (size, format sniffing, pixel limit,
/// nothing decoded yet), a <see cref="ResizePlan"/> that bounds every intermediate by the output's size, then
/// libvips' thumbnail with shrink-on-load (JPEG, WebP) or the streaming <see cref="BmpDecoder"/> (shrink-on-load by
/// block averaging), EXIF orientation applied, alpha flattened onto white, any colourspace converted to sRGB.
/// </summary>
public static class ImageDecoder
{
    public static DecodedImage Decode(ImageSource source, ImageTarget target, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        VipsDecoding.EnsureConfigured();
        var header = ImageHeader.Read(source, limits);
        var plan = ResizePlan.For(header.DisplayWidth, header.DisplayHeight, target);
        try
        {
            using var first = header.Format == "bmp"
                ? FirstStageBmp(source, header, plan, limits)
                : Thumbnail(plan, (w, size, h, crop) => Image.ThumbnailBuffer(source.Bytes, w, VipsDecoding.FailOnError, height: h, size: size, crop: crop));
            return new DecodedImage(Finish(first, plan, source.Name), header.DisplayWidth, header.DisplayHeight);
        }
        catch (VipsException e) { throw VipsDecoding.Corrupt(source.Name, header.Format, e); }
    }

    /// <summary>
    /// Fits already-decoded pixels (a video or camera frame) with the same plan and libvips calls as files, so a frame
    /// and the same frame saved losslessly give the model identical input bytes.
    /// </summary>
    public static RgbImage Fit(RgbImage frame, ImageTarget target)
    {
        if (frame.Pixels.Length < frame.ByteCount)
            throw new ArgumentException($"frame has {frame.Pixels.Length} bytes, {frame.Width}x{frame.Height} RGB needs {frame.ByteCount}", nameof(frame));
        VipsDecoding.EnsureConfigured();
        var plan = ResizePlan.For(frame.Width, frame.Height, target);
        using var first = ThumbnailOf(frame, plan);
        return Finish(first, plan, "frame");
    }

    /// <summary>BMP: decoded row by row with block averaging down to about twice the first stage's size, then the same fitting.</summary>
    private static Image FirstStageBmp(ImageSource source, ImageHeader header, ResizePlan plan, ImageLimits limits)
    {
        var (sx, sy) = plan.LoadShrink(header.Width, header.Height);
        return ThumbnailOf(BmpDecoder.Decode(source.Bytes, source.Name, limits, sx, sy), plan);
    }

    private static Image ThumbnailOf(RgbImage pixels, ResizePlan plan)
    {
        using var raw = Image.NewFromMemory(pixels.Pixels, pixels.Width, pixels.Height, 3, Enums.BandFormat.Uchar);
        using var srgb = raw.Copy(interpretation: Enums.Interpretation.Srgb);
        return Thumbnail(plan, (w, size, h, crop) => srgb.ThumbnailImage(w, height: h, size: size, crop: crop));
    }

    private delegate Image Thumbnailer(int width, Enums.Size size, int height, Enums.Interesting crop);

    private static Image Thumbnail(ResizePlan plan, Thumbnailer thumbnail) => plan.Kind switch
    {
        ThumbnailKind.CropCentre => thumbnail(plan.BoxWidth, Enums.Size.Both, plan.BoxHeight, Enums.Interesting.Centre),
        ThumbnailKind.Force => thumbnail(plan.BoxWidth, Enums.Size.Force, plan.BoxHeight, Enums.Interesting.None),
        ThumbnailKind.Fit => thumbnail(plan.BoxWidth, Enums.Size.Both, plan.BoxHeight, Enums.Interesting.None),
        _ => thumbnail(plan.BoxWidth, Enums.Size.Down, plan.BoxHeight, Enums.Interesting.None),
    };

    /// <summary>After the first stage: the centre crop scaled to the target (extreme aspect ratios), letterbox padding, 8-bit sRGB.</summary>
    private static RgbImage Finish(Image first, ResizePlan plan, string source)
    {
        var target = plan.Target;
        using var rgb = VipsDecoding.ToRgb8(first);
        using var fitted = plan.CropToTarget ? CropAndScale(rgb, plan)
            : plan.PadToTarget && (rgb.Width != target.Width || rgb.Height != target.Height)
                ? rgb.Gravity(Enums.CompassDirection.Centre, target.Width, target.Height, extend: Enums.Extend.Background,
                    background: [ImageLoader.LetterboxFill, ImageLoader.LetterboxFill, ImageLoader.LetterboxFill])
                : rgb.Copy();
        if (target.IsExact && (fitted.Width != target.Width || fitted.Height != target.Height))
            throw new ImageDecodeException(source, ImageProblem.Corrupt, $"decoded to {fitted.Width}x{fitted.Height}, expected {target.Width}x{target.Height}");
        return new RgbImage(fitted.Width, fitted.Height, fitted.WriteToMemory<byte>());
    }

    private static Image CropAndScale(Image image, ResizePlan plan)
    {
        var (left, top, width, height) = plan.CentreCrop(image.Width, image.Height);
        using var crop = image.ExtractArea(left, top, width, height);
        return crop.ThumbnailImage(plan.Target.Width, height: plan.Target.Height, size: Enums.Size.Force, noRotate: true);
    }
}

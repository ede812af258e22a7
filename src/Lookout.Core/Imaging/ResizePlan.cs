namespace Lookout.Core.Imaging;

/// <summary>The first resize libvips' thumbnail does: fill-and-crop-centre, force both axes, fit inside, or fit without enlarging.</summary>
internal enum ThumbnailKind { CropCentre, Force, Fit, FitDown }

/// <summary>
/// How an image of a given displayed size becomes a <see cref="ImageTarget"/>, planned so that no stage holds more
/// than <see cref="Budget"/> times the output's pixels, whatever the aspect ratio. A centre crop normally resizes the
/// whole image so its shorter side fills the target and then crops (libvips' thumbnail): for a 1 x 20000 picture that
/// intermediate is 224 x 4.5 M pixels. Past the budget the plan shrinks the whole image to fit the budget first, then
/// crops the centre and scales the crop to the target: the crop loses resolution only for absurd aspect ratios, and
/// every row of the image is still decoded, so whether bytes decode never depends on the target.
/// Pure arithmetic; <see cref="ImageDecoder"/> runs it.
/// </summary>
internal sealed record ResizePlan(ThumbnailKind Kind, int BoxWidth, int BoxHeight, bool CropToTarget, bool PadToTarget, ImageTarget Target)
{
    /// <summary>Largest intermediate, in multiples of the output's pixel count (16: aspect ratios up to 16:1 are untouched).</summary>
    public const int Budget = 16;

    public static ResizePlan For(int width, int height, ImageTarget target)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height}");
        int tw = target.Width, th = target.Height;
        switch (target.Fit)
        {
            case ImageFit.Stretch: return new(ThumbnailKind.Force, tw, th, false, false, target);
            case ImageFit.Letterbox: return new(ThumbnailKind.Fit, tw, th, false, true, target);
            case ImageFit.ShrinkWithin: return new(ThumbnailKind.FitDown, tw, th, false, false, target);
        }
        double fill = Math.Max((double)tw / width, (double)th / height);
        double budget = (double)Budget * tw * th;
        if ((double)width * height * fill * fill <= budget) return new(ThumbnailKind.CropCentre, tw, th, false, false, target);
        double s = Math.Min(1, Math.Sqrt(budget / ((double)width * height)));
        return new(ThumbnailKind.FitDown, Math.Max(1, (int)(width * s)), Math.Max(1, (int)(height * s)), true, false, target);
    }

    /// <summary>
    /// Integer shrink-on-load factors for a decoder that can average blocks while it reads (BMP): as much as possible
    /// while the decoded image still covers the first stage's box, so it is at most about 4x the box's pixels and the
    /// final resize does less than 2x per axis.
    /// </summary>
    public (int X, int Y) LoadShrink(int width, int height)
    {
        double sx, sy;
        switch (Kind)
        {
            case ThumbnailKind.Force: sx = (double)BoxWidth / width; sy = (double)BoxHeight / height; break;
            case ThumbnailKind.CropCentre: sx = sy = Math.Max((double)BoxWidth / width, (double)BoxHeight / height); break;
            case ThumbnailKind.Fit: sx = sy = Math.Min((double)BoxWidth / width, (double)BoxHeight / height); break;
            default: sx = sy = Math.Min(1, Math.Min((double)BoxWidth / width, (double)BoxHeight / height)); break;
        }
        return (Factor(sx), Factor(sy));
        static int Factor(double scale) => (int)Math.Clamp(Math.Floor(1 / scale), 1, int.MaxValue);
    }

    /// <summary>The centred region of a <paramref name="width"/> x <paramref name="height"/> image with the target's aspect ratio.</summary>
    public (int Left, int Top, int Width, int Height) CentreCrop(int width, int height)
    {
        int tw = Target.Width, th = Target.Height;
        int cw = width, ch = height;
        if ((long)width * th > (long)height * tw) cw = Math.Clamp((int)Math.Round((double)height * tw / th), 1, width);
        else ch = Math.Clamp((int)Math.Round((double)width * th / tw), 1, height);
        return ((width - cw) / 2, (height - ch) / 2, cw, ch);
    }

    /// <summary>
    /// How a <paramref name="width"/> x <paramref name="height"/> image sits in the output: letterbox content is the
    /// image fitted inside the target (the longer side exact, the other rounded, as libvips' thumbnail does) and centred
    /// with integer offsets (libvips' centre gravity); a centre crop drops equal margins of the filled image.
    /// </summary>
    public InputPlacement Placement(int width, int height)
    {
        int tw = Target.Width, th = Target.Height;
        switch (Target.Fit)
        {
            case ImageFit.Stretch: return new((float)tw / width, (float)th / height, 0, 0);
            case ImageFit.Letterbox:
            {
                var (cw, ch) = FitInside(width, height, tw, th);
                return new((float)cw / width, (float)ch / height, (tw - cw) / 2, (th - ch) / 2);
            }
            case ImageFit.ShrinkWithin:
            {
                if (width <= tw && height <= th) return new(1, 1, 0, 0);
                var (cw, ch) = FitInside(width, height, tw, th);
                return new((float)cw / width, (float)ch / height, 0, 0);
            }
            default:
            {
                double fill = Math.Max((double)tw / width, (double)th / height);
                double sw = width * fill, sh = height * fill;
                return new((float)fill, (float)fill, (float)(-(sw - tw) / 2), (float)(-(sh - th) / 2));
            }
        }
    }

    /// <summary>The size of a <paramref name="width"/> x <paramref name="height"/> image fitted inside <paramref name="tw"/> x <paramref name="th"/>, aspect kept.</summary>
    public static (int Width, int Height) FitInside(int width, int height, int tw, int th) =>
        (long)width * th >= (long)height * tw
            ? (tw, Math.Clamp((int)Math.Round((double)height * tw / width), 1, th))
            : (Math.Clamp((int)Math.Round((double)width * th / height), 1, tw), th);

    /// <summary>The most pixels any stage holds for a <paramref name="width"/> x <paramref name="height"/> input (for tests and reasoning).</summary>
    public long LargestStagePixels(int width, int height)
    {
        double w = width, h = height;
        double scale = Kind switch
        {
            ThumbnailKind.CropCentre => Math.Max(BoxWidth / w, BoxHeight / h),
            ThumbnailKind.Force => double.NaN,
            ThumbnailKind.Fit => Math.Min(BoxWidth / w, BoxHeight / h),
            _ => Math.Min(1, Math.Min(BoxWidth / w, BoxHeight / h)),
        };
        long first = Kind == ThumbnailKind.Force ? (long)BoxWidth * BoxHeight
            : (long)Math.Max(1, Math.Round(w * scale)) * (long)Math.Max(1, Math.Round(h * scale));
        return Math.Max(first, (long)Target.Width * Target.Height);
    }
}

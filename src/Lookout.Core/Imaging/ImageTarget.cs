namespace Lookout.Core.Imaging;

/// <summary>How decoded pixels are fitted to a <see cref="ImageTarget"/>'s size.</summary>
public enum ImageFit
{
    /// <summary>Scale so the shorter side fills the target, keep the centre (a model's default input).</summary>
    CentreCrop,
    /// <summary>Scale each axis to the target (aspect lost, nothing lost).</summary>
    Stretch,
    /// <summary>Fit inside the target, pad the rest with <see cref="ImageLoader.LetterboxFill"/> grey.</summary>
    Letterbox,
    /// <summary>Fit inside the target without padding and never upscale (the picture as a person sees it, bounded).</summary>
    ShrinkWithin,
}

/// <summary>What the decoder must produce: a model's exact input, or the displayed image bounded to a side.</summary>
public sealed record ImageTarget(int Width, int Height, ImageFit Fit)
{
    /// <summary>libvips' largest coordinate: "no bound" for <see cref="Within"/>.</summary>
    public const int Unbounded = 10_000_000;

    public static ImageTarget For(PreprocessSpec spec) => new(spec.Width, spec.Height, spec.Resize switch
    {
        ResizeMode.ShorterSideCenterCrop => ImageFit.CentreCrop,
        ResizeMode.Stretch => ImageFit.Stretch,
        _ => ImageFit.Letterbox,
    });

    /// <summary>The displayed image, shrunk (never enlarged) so neither side exceeds <paramref name="maxSide"/>.</summary>
    public static ImageTarget Within(int maxSide) => new(maxSide, maxSide, ImageFit.ShrinkWithin);

    /// <summary>True when the output is exactly <see cref="Width"/> x <see cref="Height"/>.</summary>
    public bool IsExact => Fit != ImageFit.ShrinkWithin;
}

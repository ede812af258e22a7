namespace Lookout.Core.Watch.Motion;

/// <summary>Frame-differencing settings. Defaults ignore sensor noise and compression flicker at 1-2 grey levels.</summary>
public sealed record MotionOptions
{
    /// <summary>Width of the grey frame the comparison runs on (height keeps the aspect).</summary>
    public int Width { get; init; } = 96;
    /// <summary>A pixel changed if its grey level moved by more than this (0..255).</summary>
    public int PixelThreshold { get; init; } = 20;
    /// <summary>Motion if at least this fraction of pixels changed (0..1).</summary>
    public double MinChangedFraction { get; init; } = 0.005;
    /// <summary>
    /// Keep sending frames to the model this long after the last motion: someone who stops moving is still there,
    /// and consensus rules need several frames of them.
    /// </summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(2);

    public void Validate()
    {
        if (Width is < 8 or > 1024) throw new LookoutException($"motion width must be within 8..1024 (got {Width})");
        if (PixelThreshold is < 1 or > 254) throw new LookoutException($"motion pixel threshold must be within 1..254 (got {PixelThreshold})");
        if (Hold < TimeSpan.Zero) throw new LookoutException("motion hold cannot be negative");
        if (MinChangedFraction is <= 0 or > 1) throw new LookoutException($"motion min changed fraction must be within (0, 1] (got {MinChangedFraction})");
    }
}

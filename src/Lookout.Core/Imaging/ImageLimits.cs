namespace Lookout.Core.Imaging;

/// <summary>Guards against decompression bombs and runaway files. Checked before any pixel is decoded.</summary>
public sealed record ImageLimits
{
    public long MaxFileBytes { get; init; } = 200L * 1024 * 1024;
    /// <summary>Width x height of the encoded image (the header), default 178.9 MP like Pillow's bomb guard.</summary>
    public long MaxPixels { get; init; } = 178_956_970;

    public static ImageLimits Default { get; } = new();
}

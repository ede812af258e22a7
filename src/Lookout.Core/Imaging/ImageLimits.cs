namespace Lookout.Core.Imaging;

/// <summary>Guards against decompression bombs and runaway files. Checked from the header, before any pixel is decoded.</summary>
public sealed record ImageLimits
{
    public long MaxFileBytes { get; init; } = 200L * 1024 * 1024;
    /// <summary>Width x height of the encoded image (the header), default 178.9 MP like Pillow's bomb guard.</summary>
    public long MaxPixels { get; init; } = 178_956_970;
    /// <summary>
    /// Memory a decoder may need for the whole frame at once. Most decoding streams rows into a shrunk output, but
    /// GIF, WebP, interlaced PNG and progressive JPEG decoders hold the full-size frame (or its coefficients), so a
    /// small file claiming a huge canvas would cost hundreds of MB: such images are refused past this budget.
    /// </summary>
    public long MaxWholeFrameBytes { get; init; } = 256L * 1024 * 1024;

    public static ImageLimits Default { get; } = new();
}

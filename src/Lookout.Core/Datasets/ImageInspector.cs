using System.Security.Cryptography;
using Lookout.Core.Imaging;
using NetVips;

namespace Lookout.Core.Datasets;

/// <summary>Facts about one readable image file: content hash, displayed size (EXIF orientation applied), bytes.</summary>
public sealed record ImageFacts(string Sha256, int Width, int Height, long Bytes);

/// <summary>
/// Checks that an image file decodes completely (through <see cref="ImageLoader"/>, so the same limits and
/// errors apply as in training) and reads its facts. Throws <see cref="ImageDecodeException"/> otherwise.
/// </summary>
public static class ImageInspector
{
    /// <summary>Tiny target: shrink-on-load keeps the check cheap while still decoding every scanline.</summary>
    private static readonly PreprocessSpec CheckSpec = new() { Width = 8, Height = 8, Resize = ResizeMode.Stretch };

    public static ImageFacts Inspect(string path, ImageLimits limits)
    {
        ImageLoader.Load(path, CheckSpec, limits);
        var (width, height) = DisplaySize(path);
        return new ImageFacts(Sha256Of(path), width, height, new FileInfo(path).Length);
    }

    public static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>True when the first bytes are a known image signature (so a mis-named photo is still found).</summary>
    public static bool SniffsAsImage(string path) => FormatOf(path) is not null;

    private static string? FormatOf(string path)
    {
        Span<byte> head = stackalloc byte[16];
        using var stream = File.OpenRead(path);
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return ImageSniffer.Format(head[..n]);
    }

    private static (int Width, int Height) DisplaySize(string path)
    {
        if (FormatOf(path) == "bmp")
            return ImageLoader.ReadSize(path);     // BMP has no EXIF orientation (and libvips here cannot open it)
        using var header = Image.NewFromFile(path, access: Enums.Access.Sequential);
        // EXIF orientations 5-8 are the ones that turn the picture sideways.
        int orientation = header.GetTypeOf("orientation") != IntPtr.Zero ? (int)header.Get("orientation") : 1;
        return orientation is >= 5 and <= 8 ? (header.Height, header.Width) : (header.Width, header.Height);
    }
}

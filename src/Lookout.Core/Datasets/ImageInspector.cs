using System.Security.Cryptography;
using Lookout.Core.Imaging;

namespace Lookout.Core.Datasets;

/// <summary>Facts about one readable image file: content hash, displayed size (EXIF orientation applied), bytes.</summary>
public sealed record ImageFacts(string Sha256, int Width, int Height, long Bytes);

/// <summary>
/// Checks that an image file decodes completely (through <see cref="ImageDecoder"/>, so the same limits, errors and
/// verdicts apply as in training, classify and the server) and reads its facts. Throws <see cref="ImageDecodeException"/> otherwise.
/// </summary>
public static class ImageInspector
{
    /// <summary>Tiny target: shrink-on-load keeps the check cheap while still decoding every scanline.</summary>
    private static readonly ImageTarget Check = new(8, 8, ImageFit.Stretch);

    public static ImageFacts Inspect(string path, ImageLimits limits)
    {
        var source = ImageSource.FromFile(path, limits);
        var decoded = ImageDecoder.Decode(source, Check, limits);
        return new ImageFacts(Convert.ToHexStringLower(SHA256.HashData(source.Bytes)), decoded.Width, decoded.Height, source.Bytes.Length);
    }

    public static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>True when the first bytes are a known image signature (so a mis-named photo is still found).</summary>
    public static bool SniffsAsImage(string path)
    {
        Span<byte> head = stackalloc byte[16];
        using var stream = File.OpenRead(path);
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return ImageSniffer.Format(head[..n]) is not null;
    }
}

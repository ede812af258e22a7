namespace Lookout.Core.Imaging;

/// <summary>Recognises image formats by their magic bytes; extensions and Content-Type headers are never trusted.</summary>
public static class ImageSniffer
{
    private static ReadOnlySpan<byte> PngMagic => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static string? Format(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return "jpeg";
        if (d.Length >= 8 && d[..8].SequenceEqual(PngMagic)) return "png";
        if (d.Length >= 12 && d[..4].SequenceEqual("RIFF"u8) && d[8..12].SequenceEqual("WEBP"u8)) return "webp";
        if (d.Length >= 6 && (d[..6].SequenceEqual("GIF87a"u8) || d[..6].SequenceEqual("GIF89a"u8))) return "gif";
        if (d.Length >= 2 && d[0] == (byte)'B' && d[1] == (byte)'M') return "bmp";
        if (d.Length >= 4 && ((d[0] == 'I' && d[1] == 'I' && d[2] == 42 && d[3] == 0) || (d[0] == 'M' && d[1] == 'M' && d[2] == 0 && d[3] == 42))) return "tiff";
        return null;
    }
}

using System.Buffers.Binary;

namespace Lookout.Core.Imaging;

/// <summary>
/// The canvas size a WebP file claims, read from its first chunk without libvips: libvips 8.18 allocates (and with
/// tcmalloc, which Lookout runs under, touches) the whole RGBA frame while it reads a WebP header, so a 250 KB file
/// claiming 12000x12000 cost 8 s and 600 MB before any limit could be checked.
/// </summary>
internal static class WebpCanvas
{
    /// <summary>Width and height, or null when the first chunk is not one of VP8/VP8L/VP8X or is cut short.</summary>
    public static (int Width, int Height)? Peek(ReadOnlySpan<byte> d)
    {
        if (d.Length < 30) return null;
        var chunk = d[12..16];
        if (chunk.SequenceEqual("VP8X"u8)) return (ReadUInt24(d[24..]) + 1, ReadUInt24(d[27..]) + 1);
        if (chunk.SequenceEqual("VP8L"u8) && d[20] == 0x2F)
        {
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(d[21..]);
            return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }
        if (chunk.SequenceEqual("VP8 "u8) && d[23] == 0x9D && d[24] == 0x01 && d[25] == 0x2A)
            return (BinaryPrimitives.ReadUInt16LittleEndian(d[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(d[28..]) & 0x3FFF);
        return null;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> d) => d[0] | d[1] << 8 | d[2] << 16;
}

using System.Buffers.Binary;
using System.Numerics;

namespace Lookout.Core.Imaging;

/// <summary>
/// Decodes Windows BMP files, which the bundled libvips cannot read (it would need ImageMagick). Handles the
/// common kinds: 1/4/8-bit palette, 16/24/32-bit RGB and bitfields, bottom-up and top-down; RLE is refused
/// with a clear reason. The pixel limit is checked from the header before anything is allocated.
/// </summary>
public static class BmpDecoder
{
    private const int BiRgb = 0, BiBitfields = 3, BiAlphaBitfields = 6;

    public static (int Width, int Height) ReadSize(ReadOnlySpan<byte> data, string source)
    {
        var h = Header.Parse(data, source);
        return (h.Width, h.Height);
    }

    public static RgbImage Decode(ReadOnlySpan<byte> data, string source, ImageLimits limits)
    {
        var h = Header.Parse(data, source);
        long pixels = (long)h.Width * h.Height;
        if (pixels > limits.MaxPixels)
            throw new ImageDecodeException(source, ImageProblem.TooManyPixels,
                $"{h.Width}x{h.Height} is {pixels / 1_000_000.0:0.#} MP, limit {limits.MaxPixels / 1_000_000.0:0.#} MP");
        long stride = ((long)h.Width * h.Bits + 31) / 32 * 4;
        if (h.PixelOffset < 0 || h.PixelOffset + stride * h.Height > data.Length)
            throw Corrupt(source, "truncated BMP pixel data");
        var output = new byte[pixels * 3];
        for (int y = 0; y < h.Height; y++)
        {
            int srcRow = h.TopDown ? y : h.Height - 1 - y;
            var row = data.Slice((int)(h.PixelOffset + srcRow * stride), (int)stride);
            var dst = output.AsSpan(y * h.Width * 3, h.Width * 3);
            DecodeRow(row, dst, h);
        }
        return new RgbImage(h.Width, h.Height, output);
    }

    private static void DecodeRow(ReadOnlySpan<byte> row, Span<byte> dst, Header h)
    {
        for (int x = 0; x < h.Width; x++)
        {
            int o = x * 3;
            switch (h.Bits)
            {
                case 1 or 4 or 8:
                    int bitPos = x * h.Bits, value = (row[bitPos >> 3] >> (8 - h.Bits - (bitPos & 7))) & ((1 << h.Bits) - 1);
                    if (value * 4 + 2 >= h.Palette.Length) { dst[o] = dst[o + 1] = dst[o + 2] = 0; break; }
                    dst[o] = h.Palette[value * 4 + 2]; dst[o + 1] = h.Palette[value * 4 + 1]; dst[o + 2] = h.Palette[value * 4];
                    break;
                case 24:
                    dst[o] = row[x * 3 + 2]; dst[o + 1] = row[x * 3 + 1]; dst[o + 2] = row[x * 3];
                    break;
                default:
                    uint v = h.Bits == 16 ? BinaryPrimitives.ReadUInt16LittleEndian(row[(x * 2)..]) : BinaryPrimitives.ReadUInt32LittleEndian(row[(x * 4)..]);
                    dst[o] = Channel(v, h.RedMask); dst[o + 1] = Channel(v, h.GreenMask); dst[o + 2] = Channel(v, h.BlueMask);
                    break;
            }
        }
    }

    /// <summary>Extracts a masked channel and scales it to 0..255 (5-bit 31 -> 255).</summary>
    private static byte Channel(uint value, uint mask)
    {
        if (mask == 0) return 0;
        int shift = BitOperations.TrailingZeroCount(mask);
        uint max = mask >> shift;
        return (byte)(((value & mask) >> shift) * 255 / max);
    }

    private static ImageDecodeException Corrupt(string source, string reason) => new(source, ImageProblem.Corrupt, reason);

    private sealed record Header(int Width, int Height, bool TopDown, int Bits, long PixelOffset, byte[] Palette, uint RedMask, uint GreenMask, uint BlueMask)
    {
        public static Header Parse(ReadOnlySpan<byte> d, string source)
        {
            if (d.Length < 26 || d[0] != 'B' || d[1] != 'M') throw new ImageDecodeException(source, ImageProblem.NotAnImage, "not a BMP file");
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(d[10..]);
            int infoSize = BinaryPrimitives.ReadInt32LittleEndian(d[14..]);
            if (infoSize < 12 || 14 + infoSize > d.Length) throw Corrupt(source, "truncated BMP header");
            int width, height, bits, compression = BiRgb, colours = 0;
            if (infoSize == 12)
            {
                width = BinaryPrimitives.ReadUInt16LittleEndian(d[18..]); height = BinaryPrimitives.ReadUInt16LittleEndian(d[20..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(d[24..]);
            }
            else
            {
                if (infoSize < 40) throw Corrupt(source, "unknown BMP header");
                width = BinaryPrimitives.ReadInt32LittleEndian(d[18..]); height = BinaryPrimitives.ReadInt32LittleEndian(d[22..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(d[28..]); compression = BinaryPrimitives.ReadInt32LittleEndian(d[30..]);
                colours = BinaryPrimitives.ReadInt32LittleEndian(d[46..]);
            }
            bool topDown = height < 0;
            height = Math.Abs(height);
            if (width <= 0 || height <= 0) throw Corrupt(source, $"bad BMP size {width}x{height}");
            if (bits is not (1 or 4 or 8 or 16 or 24 or 32)) throw Corrupt(source, $"unsupported BMP bit depth {bits}");
            if (compression is not (BiRgb or BiBitfields or BiAlphaBitfields))
                throw Corrupt(source, $"unsupported BMP compression {compression} (only uncompressed BMPs are read)");

            var (r, g, b) = bits == 16 ? (0x7C00u, 0x03E0u, 0x001Fu) : (0x00FF0000u, 0x0000FF00u, 0x000000FFu);
            if (compression is BiBitfields or BiAlphaBitfields)
            {
                // Masks follow a 40-byte header, or sit inside V4/V5 headers at the same place.
                if (14 + 40 + 12 > d.Length) throw Corrupt(source, "truncated BMP bitfields");
                r = BinaryPrimitives.ReadUInt32LittleEndian(d[54..]); g = BinaryPrimitives.ReadUInt32LittleEndian(d[58..]); b = BinaryPrimitives.ReadUInt32LittleEndian(d[62..]);
            }
            byte[] palette = [];
            if (bits <= 8)
            {
                int entrySize = infoSize == 12 ? 3 : 4;
                int start = 14 + infoSize;
                // Trust the colour count if given, else whatever fits between the header and the pixels.
                int entries = colours > 0 && colours <= 256 ? colours : (int)Math.Clamp((offset - start) / entrySize, 0, 1 << bits);
                if (start + entries * entrySize > d.Length) throw Corrupt(source, "truncated BMP palette");
                palette = new byte[entries * 4];
                for (int i = 0; i < entries; i++) d.Slice(start + i * entrySize, 3).CopyTo(palette.AsSpan(i * 4));
            }
            return new Header(width, height, topDown, bits, offset, palette, r, g, b);
        }
    }
}

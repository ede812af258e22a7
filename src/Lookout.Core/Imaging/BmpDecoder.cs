using System.Buffers.Binary;
using System.Numerics;

namespace Lookout.Core.Imaging;

/// <summary>
/// Decodes Windows BMP files, which the bundled libvips cannot read (it would need ImageMagick). Handles the
/// common kinds: 1/4/8-bit palette, 16/24/32-bit RGB and bitfields, bottom-up and top-down; RLE is refused
/// with a clear reason. Every header field is checked (in 64-bit arithmetic, so crafted values cannot overflow)
/// before anything is allocated, and rows are streamed into a box-filtered output (shrink-on-load), so memory is
/// bounded by the shrunk output, never by the header's claims or the bit depth.
/// </summary>
public static class BmpDecoder
{
    /// <summary>Larger sides are refused as corrupt; together with the pixel limit this keeps all offsets in range.</summary>
    private const long MaxSide = 1 << 24;
    private const int BiRgb = 0, BiBitfields = 3, BiAlphaBitfields = 6;

    /// <summary>Validates the header (and that the pixel data is all there) without decoding a pixel.</summary>
    internal static BmpHeader ReadHeader(ReadOnlySpan<byte> data, string source) => BmpHeader.Parse(data, source);

    /// <summary>Decodes at full size.</summary>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string source, ImageLimits limits) => Decode(data, source, limits, 1, 1);

    /// <summary>
    /// Decodes averaging each <paramref name="shrinkX"/> x <paramref name="shrinkY"/> block into one pixel (edge blocks
    /// average what they have): the output is ceil(width / shrinkX) x ceil(height / shrinkY).
    /// </summary>
    public static RgbImage Decode(ReadOnlySpan<byte> data, string source, ImageLimits limits, int shrinkX, int shrinkY)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shrinkX, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shrinkY, 1);
        var h = BmpHeader.Parse(data, source);
        long pixels = (long)h.Width * h.Height;
        if (pixels > limits.MaxPixels)
            throw new ImageDecodeException(source, ImageProblem.TooManyPixels,
                $"{h.Width}x{h.Height} is {pixels / 1_000_000.0:0.#} MP, limit {limits.MaxPixels / 1_000_000.0:0.#} MP");

        int outW = (h.Width + shrinkX - 1) / shrinkX, outH = (h.Height + shrinkY - 1) / shrinkY;
        var output = new byte[(long)outW * outH * 3];
        var sums = new long[outW * 3];
        for (int oy = 0; oy < outH; oy++)
        {
            Array.Clear(sums);
            int y0 = oy * shrinkY, rows = Math.Min(shrinkY, h.Height - y0);
            for (int y = y0; y < y0 + rows; y++)
            {
                int stored = h.TopDown ? y : h.Height - 1 - y;
                AccumulateRow(data.Slice((int)(h.PixelOffset + stored * h.Stride), (int)h.Stride), h, shrinkX, sums);
            }
            var dst = output.AsSpan(oy * outW * 3, outW * 3);
            for (int ox = 0; ox < outW; ox++)
            {
                int count = Math.Min(shrinkX, h.Width - ox * shrinkX) * rows;
                for (int c = 0; c < 3; c++) dst[ox * 3 + c] = (byte)((sums[ox * 3 + c] + count / 2) / count);
            }
        }
        return new RgbImage(outW, outH, output);
    }

    /// <summary>
    /// Adds each pixel of one stored row (as RGB) to its output column's sums. Every source pixel is visited once, so
    /// the loops are kept free of divisions and per-pixel branching on the bit depth.
    /// </summary>
    private static void AccumulateRow(ReadOnlySpan<byte> row, BmpHeader h, int shrinkX, Span<long> sums)
    {
        int s = 0, left = shrinkX;
        switch (h.Bits)
        {
            case 1:
                AccumulateBits(row, h, shrinkX, sums);
                break;
            case 4 or 8:
                int bits = h.Bits, mask = (1 << bits) - 1, perByte = 8 / bits, entries = h.PaletteEntries;
                var palette = h.Palette;
                for (int x = 0; x < h.Width;)
                {
                    int b = row[x / perByte];
                    for (int shift = 8 - bits; shift >= 0 && x < h.Width; shift -= bits, x++)
                    {
                        int index = (b >> shift) & mask;
                        if (index < entries) // outside the palette: black
                        {
                            int p = index * 3;
                            sums[s] += palette[p]; sums[s + 1] += palette[p + 1]; sums[s + 2] += palette[p + 2];
                        }
                        if (--left == 0) { s += 3; left = shrinkX; }
                    }
                }
                break;
            case 24:
                for (int x = 0, p = 0; x < h.Width; x++, p += 3)
                {
                    sums[s] += row[p + 2]; sums[s + 1] += row[p + 1]; sums[s + 2] += row[p];
                    if (--left == 0) { s += 3; left = shrinkX; }
                }
                break;
            default:
                for (int x = 0; x < h.Width; x++)
                {
                    uint v = h.Bits == 16 ? BinaryPrimitives.ReadUInt16LittleEndian(row[(x * 2)..]) : BinaryPrimitives.ReadUInt32LittleEndian(row[(x * 4)..]);
                    sums[s] += Channel(v, h.RedMask); sums[s + 1] += Channel(v, h.GreenMask); sums[s + 2] += Channel(v, h.BlueMask);
                    if (--left == 0) { s += 3; left = shrinkX; }
                }
                break;
        }
    }

    /// <summary>1-bit rows (the cheapest way to claim many pixels): per output block, count the set bits, a byte at a time.</summary>
    private static void AccumulateBits(ReadOnlySpan<byte> row, BmpHeader h, int shrinkX, Span<long> sums)
    {
        Span<int> colour = stackalloc int[6]; // palette entries 0 and 1; missing entries are black
        for (int i = 0; i < 2 && i < h.PaletteEntries; i++)
            for (int c = 0; c < 3; c++) colour[i * 3 + c] = h.Palette[i * 3 + c];
        for (int x0 = 0, s = 0; x0 < h.Width; x0 += shrinkX, s += 3)
        {
            int x1 = Math.Min(h.Width, x0 + shrinkX), x = x0, ones = 0;
            for (; x < x1 && (x & 7) != 0; x++) ones += (row[x >> 3] >> (7 - (x & 7))) & 1;
            for (; x + 8 <= x1; x += 8) ones += BitOperations.PopCount(row[x >> 3]);
            for (; x < x1; x++) ones += (row[x >> 3] >> (7 - (x & 7))) & 1;
            int zeros = x1 - x0 - ones;
            for (int c = 0; c < 3; c++) sums[s + c] += (long)ones * colour[3 + c] + (long)zeros * colour[c];
        }
    }

    /// <summary>Extracts a masked channel and scales it to 0..255 (5-bit 31 -> 255).</summary>
    private static byte Channel(uint value, uint mask)
    {
        if (mask == 0) return 0;
        int shift = BitOperations.TrailingZeroCount(mask);
        ulong max = mask >> shift;
        return (byte)(((value & mask) >> shift) * 255UL / max);
    }

    internal static ImageDecodeException Corrupt(string source, string reason) => new(source, ImageProblem.Corrupt, reason);

    /// <summary>A validated BMP header; <see cref="Palette"/> is RGB triplets.</summary>
    internal sealed record BmpHeader(int Width, int Height, bool TopDown, int Bits, long PixelOffset, long Stride,
        byte[] Palette, int PaletteEntries, uint RedMask, uint GreenMask, uint BlueMask)
    {
        public static BmpHeader Parse(ReadOnlySpan<byte> d, string source)
        {
            if (d.Length < 26 || d[0] != 'B' || d[1] != 'M') throw new ImageDecodeException(source, ImageProblem.NotAnImage, "not a BMP file");
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(d[10..]);
            long infoSize = BinaryPrimitives.ReadUInt32LittleEndian(d[14..]);
            if (infoSize < 12 || 14 + infoSize > d.Length) throw Corrupt(source, $"bad BMP header (header size {infoSize}, file {d.Length} bytes)");
            long width, height;
            int bits, compression = BiRgb, colours = 0;
            if (infoSize == 12)
            {
                width = BinaryPrimitives.ReadUInt16LittleEndian(d[18..]); height = BinaryPrimitives.ReadUInt16LittleEndian(d[20..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(d[24..]);
            }
            else
            {
                if (infoSize < 40) throw Corrupt(source, $"unknown BMP header (size {infoSize})");
                width = BinaryPrimitives.ReadInt32LittleEndian(d[18..]); height = BinaryPrimitives.ReadInt32LittleEndian(d[22..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(d[28..]); compression = BinaryPrimitives.ReadInt32LittleEndian(d[30..]);
                colours = BinaryPrimitives.ReadInt32LittleEndian(d[46..]);
            }
            bool topDown = height < 0;
            height = Math.Abs(height); // a long: int.MinValue negates safely
            if (width <= 0 || height <= 0 || width > MaxSide || height > MaxSide) throw Corrupt(source, $"bad BMP size {width}x{(topDown ? -height : height)}");
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
            int entries = 0;
            if (bits <= 8)
            {
                int entrySize = infoSize == 12 ? 3 : 4;
                long start = 14 + infoSize;
                // Trust the colour count if given, else whatever fits between the header and the pixels.
                entries = colours > 0 && colours <= 256 ? colours : (int)Math.Clamp((offset - start) / entrySize, 0, 1 << bits);
                if (start + (long)entries * entrySize > d.Length) throw Corrupt(source, "truncated BMP palette");
                palette = new byte[entries * 3];
                for (int i = 0; i < entries; i++)
                {
                    var bgr = d.Slice((int)start + i * entrySize, 3);
                    palette[i * 3] = bgr[2]; palette[i * 3 + 1] = bgr[1]; palette[i * 3 + 2] = bgr[0];
                }
            }
            long stride = (width * bits + 31) / 32 * 4;
            if (offset + stride * height > d.Length) throw Corrupt(source, "truncated BMP pixel data");
            return new BmpHeader((int)width, (int)height, topDown, bits, offset, stride, palette, entries, r, g, b);
        }
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using NetVips;

namespace Lookout.Tests.Shared;

/// <summary>One generated file of a fuzz corpus: its name (the extension names the claimed format) and whether it is a good image.</summary>
public sealed record CorpusFile(string Name, byte[] Bytes, bool Good);

/// <summary>
/// Good and hostile image bytes, generated (never read from disk): valid files in every supported format, the crafted
/// files of the hostile-input report (BMP height int.MinValue, BMP header size 0x7FFFFFF5, a 1-pixel-wide PNG, a 1-bit
/// 7000x7000 BMP, truncated PNG/JPEG), and seeded random truncations and byte mutations of the good files.
/// Shared by the Core, server and CLI test projects (linked source).
/// </summary>
public static class HostileImages
{
    /// <summary>Blocks of seeded random colours (so every format has real content to compress).</summary>
    public static byte[] Pattern(int seed, int width, int height, int block = 8)
    {
        var rng = new Random(seed);
        int cols = (width + block - 1) / block, rows = (height + block - 1) / block;
        var cells = new byte[cols * rows * 3];
        rng.NextBytes(cells);
        var px = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int c = ((y / block) * cols + x / block) * 3, i = (y * width + x) * 3;
                px[i] = cells[c]; px[i + 1] = cells[c + 1]; px[i + 2] = cells[c + 2];
            }
        return px;
    }

    /// <summary>A valid image in <paramref name="format"/> (png, jpg, webp, gif, bmp), encoded by libvips (BMP by hand).</summary>
    public static byte[] Good(string format, int seed = 1, int width = 96, int height = 64)
    {
        var px = Pattern(seed, width, height);
        if (format == "bmp") return Bmp24(width, height, px);
        using var image = Image.NewFromMemory(px, width, height, 3, Enums.BandFormat.Uchar);
        return format switch
        {
            "png" => image.PngsaveBuffer(),
            "jpg" => image.JpegsaveBuffer(q: 85),
            "webp" => image.WebpsaveBuffer(q: 80),
            "gif" => image.GifsaveBuffer(),
            _ => throw new ArgumentException($"unknown format {format}", nameof(format)),
        };
    }

    /// <summary>An Ultra HDR JPEG (a JPEG with a gain map, as recent phones write), which libvips reads with uhdrload.</summary>
    public static byte[] UltraHdrJpeg(int seed = 1, int width = 96, int height = 64)
    {
        using var image = Image.NewFromMemory(Pattern(seed, width, height), width, height, 3, Enums.BandFormat.Uchar);
        using var srgb = image.Copy(interpretation: Enums.Interpretation.Srgb);
        using var hdr = srgb.Colourspace(Enums.Interpretation.Scrgb);
        return (byte[])Operation.Call("uhdrsave_buffer", null, hdr);
    }

    /// <summary>A 24-bit bottom-up BMP of RGB pixels.</summary>
    public static byte[] Bmp24(int width, int height, byte[] rgb)
    {
        int stride = (width * 3 + 3) / 4 * 4;
        var d = BmpHeader(width, height, 24, stride * height, palette: []);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int src = (y * width + x) * 3, dst = 54 + (height - 1 - y) * stride + x * 3;
                d[dst] = rgb[src + 2]; d[dst + 1] = rgb[src + 1]; d[dst + 2] = rgb[src];
            }
        return d;
    }

    /// <summary>A 1-bit BMP with a black/white palette and alternating bits: 6 MB at 7000x7000, 49 MP decoded.</summary>
    public static byte[] Bmp1Bit(int width, int height)
    {
        int stride = (width + 31) / 32 * 4;
        byte[] palette = [0, 0, 0, 0, 255, 255, 255, 0];
        var d = BmpHeader(width, height, 1, stride * height, palette);
        d.AsSpan(54 + palette.Length).Fill(0xAA);
        return d;
    }

    /// <summary>The 54-byte header of a 24-bit BMP whose height is int.MinValue (no pixel data).</summary>
    public static byte[] BmpHeightIntMin() => BmpHeader(4, int.MinValue, 24, 0, palette: []);

    /// <summary>A small 24-bit BMP whose info-header size field says 0x7FFFFFF5.</summary>
    public static byte[] BmpHugeHeaderSize()
    {
        var d = BmpHeader(4, 4, 24, 4 * 12, palette: []);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(14), 0x7FFFFFF5);
        return d;
    }

    /// <summary>A valid 8-bit RGB PNG of one colour, written by hand so any size is cheap (1 x 20000 is 119-ish bytes).</summary>
    public static byte[] SolidPng(int width, int height, byte r = 200, byte g = 60, byte b = 30)
    {
        var raw = new byte[(long)height * (1 + width * 3)];
        for (long y = 0; y < height; y++)
            for (long x = 0; x < width; x++)
            {
                long i = y * (1 + width * 3) + 1 + x * 3;
                raw[i] = r; raw[i + 1] = g; raw[i + 2] = b;
            }
        using var deflated = new MemoryStream();
        using (var z = new ZLibStream(deflated, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(raw);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit truecolour
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", deflated.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>
    /// The fuzz corpus: good files, the named hostile files, and <paramref name="mutationsPerFormat"/> seeded mutations
    /// (truncations, flipped bytes, overwritten header words, inserted garbage) of each good file.
    /// </summary>
    public static IReadOnlyList<CorpusFile> Corpus(int seed, int mutationsPerFormat)
    {
        string[] formats = ["png", "jpg", "webp", "gif", "bmp"];
        var files = new List<CorpusFile>();
        foreach (var f in formats) files.Add(new($"good-{f}.{f}", Good(f, seed), true));
        files.Add(new("good-tiny.png", Good("png", seed + 1, 3, 2), true));
        files.Add(new("good-wide.jpg", Good("jpg", seed + 2, 640, 40), true));
        files.Add(new("good-ultrahdr.jpg", UltraHdrJpeg(seed + 3), true));
        files.Add(new("good-1x20000.png", SolidPng(1, 20000), true));
        files.Add(new("good-20000x1.png", SolidPng(20000, 1), true));
        files.Add(new("good-1bit-7000.bmp", Bmp1Bit(7000, 7000), true));
        files.Add(new("bmp-height-intmin.bmp", BmpHeightIntMin(), false));
        files.Add(new("bmp-header-0x7ffffff5.bmp", BmpHugeHeaderSize(), false));
        files.Add(new("png-first-100-bytes.png", Good("png", seed)[..100], false));
        files.Add(new("jpg-first-300-bytes.jpg", Good("jpg", seed)[..300], false));
        files.Add(new("empty.png", [], false));
        files.Add(new("text.jpg", "this is not an image"u8.ToArray(), false));

        var rng = new Random(seed);
        foreach (var f in formats)
        {
            var good = Good(f, seed);
            for (int i = 0; i < mutationsPerFormat; i++)
                files.Add(new($"mut-{f}-{i:00}.{f}", Mutate(good, rng, i), false));
        }
        return files;
    }

    /// <summary>
    /// One mutation of <paramref name="good"/>. Flipped bytes may still decode (a JPEG coefficient, a BMP pixel): mutants
    /// are marked not-good, and the fuzz test only asks that every path gives them the same verdict.
    /// </summary>
    public static byte[] Mutate(byte[] good, Random rng, int kind)
    {
        var d = (byte[])good.Clone();
        switch (kind % 4)
        {
            case 0: return d[..rng.Next(1, d.Length)];                                   // truncated anywhere
            case 1:
                for (int n = rng.Next(1, 9); n > 0; n--) d[rng.Next(d.Length)] ^= (byte)(1 << rng.Next(8));
                return d;                                                               // bit flips
            case 2:
                int at = rng.Next(2, Math.Min(64, d.Length - 4));                       // a header word overwritten
                BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(at), rng.Next(4) switch { 0 => int.MinValue, 1 => int.MaxValue, 2 => -1, _ => rng.Next() });
                return d;
            default:
                int pos = rng.Next(8, d.Length);                                        // garbage inserted
                var junk = new byte[rng.Next(1, 64)];
                rng.NextBytes(junk);
                return [.. d[..pos], .. junk, .. d[pos..]];
        }
    }

    private static byte[] BmpHeader(int width, int height, int bits, int pixelBytes, byte[] palette)
    {
        int offset = 54 + palette.Length;
        var d = new byte[offset + pixelBytes];
        d[0] = (byte)'B'; d[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(2), d.Length);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(10), offset);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(d.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(d.AsSpan(28), (short)bits);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(34), pixelBytes);
        palette.CopyTo(d, 54);
        return d;
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = new byte[4 + data.Length];
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(typed, 0);
        data.CopyTo(typed, 4);
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    /// <summary>PNG's CRC-32 (ISO 3309, reflected 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}

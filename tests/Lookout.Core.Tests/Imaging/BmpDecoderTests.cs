using System.Buffers.Binary;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Imaging;

public class BmpDecoderTests
{
    /// <summary>Builds a BMP: 40-byte info header, optional palette or bitfield masks, rows padded to 4 bytes.</summary>
    internal static byte[] Bmp(int width, int height, int bits, Func<int, int, byte[]> pixelBytes, byte[]? palette = null,
        bool topDown = false, int compression = 0, uint[]? masks = null)
    {
        int stride = (width * bits + 31) / 32 * 4;
        int extra = (palette?.Length ?? 0) + (masks?.Length ?? 0) * 4;
        int offset = 14 + 40 + extra;
        var d = new byte[offset + stride * height];
        d[0] = (byte)'B'; d[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(2), d.Length);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(10), offset);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(22), topDown ? -height : height);
        BinaryPrimitives.WriteInt16LittleEndian(d.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(d.AsSpan(28), (short)bits);
        BinaryPrimitives.WriteInt32LittleEndian(d.AsSpan(30), compression);
        int at = 54;
        if (masks is not null) foreach (var m in masks) { BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(at), m); at += 4; }
        palette?.CopyTo(d, at);
        for (int y = 0; y < height; y++)
        {
            int fileRow = topDown ? y : height - 1 - y;
            var rowBytes = pixelBytes(y, stride);
            rowBytes.CopyTo(d, offset + fileRow * stride);
        }
        return d;
    }

    [Fact]
    public void Rgb24_BottomUp_DecodesToTopDownRgb()
    {
        // Row y: every pixel (r, g, b) = (10*y, 100, 200); BMP stores BGR.
        var bmp = Bmp(3, 2, 24, (y, stride) => { var r = new byte[stride]; for (int x = 0; x < 3; x++) { r[x * 3] = 200; r[x * 3 + 1] = 100; r[x * 3 + 2] = (byte)(10 * y); } return r; });
        var img = BmpDecoder.Decode(bmp, "t", ImageLimits.Default);
        Assert.Equal((3, 2), (img.Width, img.Height));
        Assert.Equal(new byte[] { 0, 100, 200 }, img.Pixels[..3]);
        Assert.Equal(new byte[] { 10, 100, 200 }, img.Pixels[9..12]);
    }

    [Fact]
    public void Palette8_TopDown_And_Rgb565Bitfields()
    {
        byte[] palette = [0, 0, 255, 0, /* red */ 0, 255, 0, 0 /* green */];
        var pal = Bmp(2, 2, 8, (y, stride) => { var r = new byte[stride]; r[0] = (byte)y; r[1] = 1; return r; }, palette, topDown: true);
        var img = BmpDecoder.Decode(pal, "t", ImageLimits.Default);
        Assert.Equal(new byte[] { 255, 0, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0 }, img.Pixels);

        // 5-6-5: pure blue (0x001F) and full white (0xFFFF).
        var b565 = Bmp(2, 1, 16, (_, stride) => { var r = new byte[stride]; BinaryPrimitives.WriteUInt16LittleEndian(r, 0x001F); BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(2), 0xFFFF); return r; },
            compression: 3, masks: [0xF800, 0x07E0, 0x001F]);
        Assert.Equal(new byte[] { 0, 0, 255, 255, 255, 255 }, BmpDecoder.Decode(b565, "t", ImageLimits.Default).Pixels);
    }

    [Fact]
    public void BadBmps_GiveReasons_AndTheLoaderReadsGoodOnes()
    {
        var good = Bmp(40, 20, 24, (y, stride) => Enumerable.Repeat((byte)(y * 10), stride).ToArray());
        Assert.Contains("compression", Assert.Throws<ImageDecodeException>(() => BmpDecoder.Decode(Bmp(4, 4, 8, (_, s) => new byte[s], new byte[1024], compression: 1), "t", ImageLimits.Default)).Reason);
        Assert.Equal(ImageProblem.Corrupt, Assert.Throws<ImageDecodeException>(() => BmpDecoder.Decode(good[..(good.Length - 100)], "t", ImageLimits.Default)).Problem);
        Assert.Equal(ImageProblem.TooManyPixels, Assert.Throws<ImageDecodeException>(() => BmpDecoder.Decode(good, "t", new ImageLimits { MaxPixels = 100 })).Problem);

        var img = ImageLoader.Load(good, new PreprocessSpec { Width = 10, Height = 10 });
        Assert.Equal(300, img.Pixels.Length);
        var path = Path.Combine(Path.GetTempPath(), $"lookout-{Guid.NewGuid():N}.bmp");
        try
        {
            File.WriteAllBytes(path, good);
            Assert.Equal((40, 20), ImageLoader.ReadSize(path));
            Assert.Equal(img.Pixels, ImageLoader.Load(path, new PreprocessSpec { Width = 10, Height = 10 }).Pixels);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void OneBit_DecodesEachPixel_AndShrinkAveragesBlocks()
    {
        // 10 pixels: bits 1010000011, palette 0 = red, 1 = white.
        byte[] palette = [0, 0, 255, 0, 255, 255, 255, 0];
        var bmp = Bmp(10, 2, 1, (_, stride) => { var r = new byte[stride]; r[0] = 0b1010_0000; r[1] = 0b1100_0000; return r; }, palette);
        var full = BmpDecoder.Decode(bmp, "t", ImageLimits.Default);
        int[] bits = [1, 0, 1, 0, 0, 0, 0, 0, 1, 1];
        for (int x = 0; x < 10; x++)
            Assert.Equal(bits[x] == 1 ? new byte[] { 255, 255, 255 } : new byte[] { 255, 0, 0 }, full.Pixels[(x * 3)..(x * 3 + 3)]);
        // Blocks of 4x2: (1,0,1,0) -> half white; (0,0,0,0) -> red; the edge block (1,1) -> white.
        var shrunk = BmpDecoder.Decode(bmp, "t", ImageLimits.Default, 4, 2);
        Assert.Equal((3, 1), (shrunk.Width, shrunk.Height));
        Assert.Equal(new byte[] { 255, 128, 128, 255, 0, 0, 255, 255, 255 }, shrunk.Pixels);
    }

    [Fact]
    public void Shrink_AveragesBlocks_AtEveryBitDepth_LikeTheFullDecodeAveraged()
    {
        var rng = new Random(5);
        byte[] palette = new byte[16 * 4];
        rng.NextBytes(palette);
        foreach (var bits in new[] { 4, 8, 24, 32 })
        {
            var bmp = Bmp(13, 7, bits, (_, stride) => { var r = new byte[stride]; rng.NextBytes(r); return r; }, bits <= 8 ? palette : null);
            var full = BmpDecoder.Decode(bmp, "t", ImageLimits.Default);
            var shrunk = BmpDecoder.Decode(bmp, "t", ImageLimits.Default, 3, 2);
            Assert.Equal((5, 4), (shrunk.Width, shrunk.Height));
            for (int oy = 0; oy < 4; oy++)
                for (int ox = 0; ox < 5; ox++)
                    for (int c = 0; c < 3; c++)
                    {
                        var block = Enumerable.Range(oy * 2, Math.Min(2, 7 - oy * 2)).SelectMany(y => Enumerable.Range(ox * 3, Math.Min(3, 13 - ox * 3))
                            .Select(x => (int)full.Pixels[(y * 13 + x) * 3 + c])).ToList();
                        int expected = (block.Sum() + block.Count / 2) / block.Count;
                        Assert.Equal(expected, shrunk.Pixels[(oy * 5 + ox) * 3 + c]);
                    }
        }
    }
}

using Lookout.Core.Imaging;
using Lookout.Core.Studio.Media;
using Lookout.Core.Tests.Video;
using NetVips;

namespace Lookout.Core.Tests.Studio;

public class SharpnessTests
{
    [Fact]
    public void VarianceOfLaplacian_IsZeroOnFlat_HighOnEdges_AndDropsWithBlur()
    {
        var flat = Enumerable.Repeat((byte)90, 16 * 16).ToArray();
        Assert.Equal(0, Sharpness.VarianceOfLaplacian(flat, 16, 16));
        Assert.Equal(0, Sharpness.Contrast(flat));
        var checker = Enumerable.Range(0, 16 * 16).Select(i => (byte)(((i % 16) + (i / 16)) % 2 * 255)).ToArray();
        Assert.True(Sharpness.VarianceOfLaplacian(checker, 16, 16) > 100_000);

        var sharp = Encode(TestClips.Pattern(9, 512, 384, block: 6), blur: 0);
        var blurred = Encode(TestClips.Pattern(9, 512, 384, block: 6), blur: 4);
        var s = Thumbnailer.Measure(sharp);
        var b = Thumbnailer.Measure(blurred);
        Assert.True(s.Sharpness > 10 * b.Sharpness, $"sharp {s.Sharpness:0} vs blurred {b.Sharpness:0}");
        Assert.False(s.IsBlurry(60));
        Assert.True(b.IsBlurry(60), $"blurred sharpness {b.Sharpness:0}");
        Assert.True(Thumbnailer.Measure(Encode(new RgbImage(64, 64, Enumerable.Repeat((byte)30, 64 * 64 * 3).ToArray()), 0)).IsEmpty);
        Assert.Equal(BlurCheck.SharpnessOf(blurred), b.Sharpness);
    }

    [Fact]
    public void Thumbnail_FitsTheBox_KeepsAspect_AndSharpnessIsScaleIndependent()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-thumb-").FullName;
        var big = Path.Combine(dir, "big.png");
        var small = Path.Combine(dir, "small.png");
        File.WriteAllBytes(big, Encode(TestClips.Pattern(4, 1600, 1200, block: 24), 0));
        File.WriteAllBytes(small, Encode(TestClips.Pattern(4, 800, 600, block: 12), 0));
        var a = Thumbnailer.Make(big);
        var b = Thumbnailer.Make(small);
        Assert.Equal((256, 192), (a.Facts.ThumbWidth, a.Facts.ThumbHeight));
        Assert.Equal(0xFF, a.Jpeg[0]);
        Assert.InRange(a.Facts.Sharpness / b.Facts.Sharpness, 0.8, 1.25);
        Directory.Delete(dir, true);
    }

    internal static byte[] Encode(RgbImage rgb, double blur)
    {
        using var image = Image.NewFromMemory(rgb.Pixels, rgb.Width, rgb.Height, 3, Enums.BandFormat.Uchar);
        using var blurred = blur > 0 ? image.Gaussblur(blur) : image.Copy();
        using var cast = blurred.Cast(Enums.BandFormat.Uchar);
        return cast.PngsaveBuffer();
    }
}

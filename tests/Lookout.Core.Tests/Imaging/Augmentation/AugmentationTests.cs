using Lookout.Core.Imaging;
using Lookout.Core.Imaging.Augmentation;

namespace Lookout.Core.Tests.Imaging.Augmentation;

public class AugmentationTests
{
    private static RgbImage Gradient(int w, int h)
    {
        var px = new byte[w * h * 3];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int i = (y * w + x) * 3;
            px[i] = (byte)(x * 255 / (w - 1)); px[i + 1] = (byte)(y * 255 / (h - 1)); px[i + 2] = (byte)((x + y) % 256);
        }
        return new RgbImage(w, h, px);
    }

    private static RgbImage Solid(int w, int h, byte r, byte g, byte b) =>
        new(w, h, Enumerable.Range(0, w * h).SelectMany(_ => new[] { r, g, b }).ToArray());

    [Fact]
    public void StandardPipeline_IsDeterministicPerSeed_AndLeavesInputAlone()
    {
        var img = Gradient(40, 30);
        var copy = img.Pixels.ToArray();
        var aug = AugmentationPipeline.Standard(24, 24);
        var a = aug.Apply(img, new Random(5));
        var b = aug.Apply(img, new Random(5));
        var c = aug.Apply(img, new Random(6));
        Assert.Equal((24, 24), (a.Width, a.Height));
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual(a.Pixels, c.Pixels);
        Assert.Equal(copy, img.Pixels);
    }

    [Fact]
    public void HorizontalFlip_MirrorsColumns()
    {
        var img = Gradient(9, 5);
        var f = new HorizontalFlip(1.0).Apply(img, new Random(1));
        for (int y = 0; y < 5; y++)
            Assert.Equal(img.Pixels.AsSpan((y * 9 + 8) * 3, 3).ToArray(), f.Pixels.AsSpan(y * 9 * 3, 3).ToArray());
        Assert.Equal(img.Pixels, new HorizontalFlip(1.0).Apply(f, new Random(1)).Pixels);
        Assert.Same(img, new HorizontalFlip(0.0).Apply(img, new Random(1)));
    }

    [Fact]
    public void RandomResizedCrop_FullScaleSameSize_IsIdentity()
    {
        var img = Gradient(16, 16);
        var crop = new RandomResizedCrop(16, 16, 1.0, 1.0, 1.0, 1.0).Apply(img, new Random(3));
        Assert.Equal(img.Pixels, crop.Pixels);
        // A half-area crop of a horizontal gradient covers a narrower range of red values.
        var half = new RandomResizedCrop(16, 16, 0.5, 0.5, 1.0, 1.0).Apply(img, new Random(3));
        var reds = Enumerable.Range(0, 16).Select(x => (int)half.Pixels[x * 3]).ToArray();
        Assert.True(reds.Max() - reds.Min() < 200, $"range {reds.Max() - reds.Min()}");
    }

    [Fact]
    public void SmallRotation_KeepsCentreAndSolidImages()
    {
        var solid = Solid(21, 21, 10, 200, 30);
        Assert.Equal(solid.Pixels, new SmallRotation(10).Apply(solid, new Random(2)).Pixels);
        var img = Gradient(21, 21);
        var rot = new SmallRotation(10).Apply(img, new Random(2));
        int centre = (10 * 21 + 10) * 3;
        Assert.Equal(img.Pixels.AsSpan(centre, 2).ToArray(), rot.Pixels.AsSpan(centre, 2).ToArray());
        Assert.NotEqual(img.Pixels, rot.Pixels);
    }

    [Fact]
    public void ColorJitter_BrightnessScalesWithinRange()
    {
        var grey = Solid(8, 8, 100, 100, 100);
        for (int seed = 0; seed < 20; seed++)
        {
            var j = new ColorJitter(brightness: 0.2, contrast: 0, saturation: 0).Apply(grey, new Random(seed));
            Assert.All(j.Pixels, v => Assert.InRange(v, 80, 120));
            Assert.Single(j.Pixels.Distinct());
        }
    }

    [Fact]
    public void Blur_SpreadsAPointAndKeepsFlatAreas()
    {
        var solid = Solid(9, 9, 50, 60, 70);
        Assert.Equal(solid.Pixels, RandomBlur.Blur(solid, 1.0).Pixels);
        var dot = Solid(9, 9, 0, 0, 0);
        dot.Pixels[(4 * 9 + 4) * 3] = 255;
        var blurred = RandomBlur.Blur(dot, 1.0);
        Assert.True(blurred.Pixels[(4 * 9 + 4) * 3] < 255 && blurred.Pixels[(4 * 9 + 5) * 3] > 0);
        int total = Enumerable.Range(0, 81).Sum(i => (int)blurred.Pixels[i * 3]);
        Assert.InRange(total, 235, 275);
    }
}

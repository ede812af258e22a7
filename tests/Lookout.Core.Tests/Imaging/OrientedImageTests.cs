using Lookout.Core.Imaging;
using Lookout.Core.Tests.Datasets;

namespace Lookout.Core.Tests.Imaging;

public sealed class OrientedImageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-oriented-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ExifRotation_SwapsTheReportedSize_AndTheDecodedPixels()
    {
        var rotated = TestImages.Jpeg(Path.Combine(_dir, "r.jpg"), seed: 1, width: 64, height: 32, orientation: 6);
        Assert.Equal((32, 64), OrientedImage.ReadSize(rotated));
        Assert.Equal((32, 64), OrientedImage.ReadSize(File.ReadAllBytes(rotated)));
        var img = OrientedImage.Load(rotated, maxSide: 1000); // never upscaled
        Assert.Equal((32, 64), (img.Width, img.Height));
        var bounded = OrientedImage.Load(File.ReadAllBytes(rotated), maxSide: 16);
        Assert.Equal((8, 16), (bounded.Width, bounded.Height));
    }

    [Fact]
    public void BadInputs_AreDecodeErrors()
    {
        var bad = Path.Combine(_dir, "bad.jpg");
        File.WriteAllText(bad, "not an image");
        Assert.Throws<ImageDecodeException>(() => OrientedImage.Load(bad, 100));
        Assert.Equal(ImageProblem.Missing, Assert.Throws<ImageDecodeException>(() => OrientedImage.Load(Path.Combine(_dir, "none.jpg"), 100)).Problem);
        Assert.Equal(ImageProblem.NotAnImage, Assert.Throws<ImageDecodeException>(() => OrientedImage.Load("hello"u8.ToArray(), 100)).Problem);
        var big = TestImages.Png(Path.Combine(_dir, "big.png"), seed: 2, width: 100, height: 100);
        Assert.Equal(ImageProblem.TooManyPixels, Assert.Throws<ImageDecodeException>(() => OrientedImage.Load(big, 100, new ImageLimits { MaxPixels = 5000 })).Problem);
    }
}

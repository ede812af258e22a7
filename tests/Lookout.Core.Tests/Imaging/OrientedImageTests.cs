using Lookout.Core.Imaging;
using Lookout.Core.Tests.Datasets;

namespace Lookout.Core.Tests.Imaging;

/// <summary>The decoder's "as a person sees it" target: EXIF orientation applied, bounded to a side, never upscaled.</summary>
public sealed class OrientedImageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-oriented-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DecodedImage Within(string path, int maxSide, ImageLimits? limits = null) =>
        ImageDecoder.Decode(ImageSource.FromFile(path, limits), ImageTarget.Within(maxSide), limits);

    [Fact]
    public void ExifRotation_SwapsTheReportedSize_AndTheDecodedPixels()
    {
        var rotated = TestImages.Jpeg(Path.Combine(_dir, "r.jpg"), seed: 1, width: 64, height: 32, orientation: 6);
        var header = ImageHeader.Read(ImageSource.FromFile(rotated));
        Assert.Equal((64, 32, 6), (header.Width, header.Height, header.Orientation));
        Assert.Equal((32, 64), ImageHeader.DisplaySize(File.ReadAllBytes(rotated)));
        var img = Within(rotated, maxSide: 1000); // never upscaled
        Assert.Equal((32, 64), (img.Pixels.Width, img.Pixels.Height));
        Assert.Equal((32, 64), (img.Width, img.Height));
        var bounded = ImageDecoder.Decode(ImageSource.FromBytes(File.ReadAllBytes(rotated)), ImageTarget.Within(16));
        Assert.Equal((8, 16), (bounded.Pixels.Width, bounded.Pixels.Height));
        Assert.Equal((32, 64), (bounded.Width, bounded.Height)); // the original's displayed size, for boxes
    }

    [Fact]
    public void BadInputs_AreDecodeErrors()
    {
        var bad = Path.Combine(_dir, "bad.jpg");
        File.WriteAllText(bad, "not an image");
        Assert.Throws<ImageDecodeException>(() => Within(bad, 100));
        Assert.Equal(ImageProblem.Missing, Assert.Throws<ImageDecodeException>(() => Within(Path.Combine(_dir, "none.jpg"), 100)).Problem);
        Assert.Equal(ImageProblem.NotAnImage, Assert.Throws<ImageDecodeException>(() =>
            ImageDecoder.Decode(ImageSource.FromBytes("hello"u8.ToArray()), ImageTarget.Within(100))).Problem);
        var big = TestImages.Png(Path.Combine(_dir, "big.png"), seed: 2, width: 100, height: 100);
        Assert.Equal(ImageProblem.TooManyPixels, Assert.Throws<ImageDecodeException>(() => Within(big, 100, new ImageLimits { MaxPixels = 5000 })).Problem);
    }
}

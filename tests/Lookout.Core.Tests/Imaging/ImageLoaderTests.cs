using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Imaging;

public class ImageLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-img").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WritePng(int w, int h, Func<int, int, (byte r, byte g, byte b)> px, string name = "a.png")
    {
        var data = new byte[w * h * 3];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++)
        {
            var (r, g, b) = px(x, y);
            int i = (y * w + x) * 3; data[i] = r; data[i + 1] = g; data[i + 2] = b;
        }
        using var img = NetVips.Image.NewFromMemory(data, w, h, 3, NetVips.Enums.BandFormat.Uchar);
        var path = Path.Combine(_dir, name);
        img.WriteToFile(path);
        return path;
    }

    [Fact]
    public void CentreCrop_KeepsTheMiddle_AndGivesExactSize()
    {
        // 300x100: left third red, middle green, right blue. Shorter side 100 -> 10, crop centre 10x10 -> all green.
        var path = WritePng(300, 100, (x, _) => x < 100 ? ((byte)255, (byte)0, (byte)0) : x < 200 ? ((byte)0, (byte)255, (byte)0) : ((byte)0, (byte)0, (byte)255));
        var img = ImageLoader.Load(path, new PreprocessSpec { Width = 10, Height = 10 });
        Assert.Equal(10, img.Width); Assert.Equal(10, img.Height); Assert.Equal(300, img.Pixels.Length);
        for (int i = 0; i < img.Pixels.Length; i += 3)
        {
            Assert.True(img.Pixels[i] < 20 && img.Pixels[i + 1] > 235 && img.Pixels[i + 2] < 20, $"pixel {i / 3} not green");
        }
    }

    [Fact]
    public void Letterbox_PadsWithGrey()
    {
        var path = WritePng(200, 100, (_, _) => (255, 255, 255));
        var img = ImageLoader.Load(path, new PreprocessSpec { Width = 20, Height = 20, Resize = ResizeMode.Letterbox });
        Assert.Equal(ImageLoader.LetterboxFill, img.Pixels[0]);          // top-left is padding
        Assert.Equal(255, img.Pixels[(10 * 20 + 10) * 3]);               // centre is image
    }

    [Fact]
    public void FileAndBytes_GiveIdenticalPixels()
    {
        var path = WritePng(64, 48, (x, y) => ((byte)(x * 4), (byte)(y * 5), (byte)(x + y)));
        var spec = new PreprocessSpec { Width = 16, Height = 16 };
        Assert.Equal(ImageLoader.Load(path, spec).Pixels, ImageLoader.Load(File.ReadAllBytes(path), spec).Pixels);
    }

    [Fact]
    public void BadInputs_GiveClearReasons()
    {
        var spec = new PreprocessSpec();
        var empty = Path.Combine(_dir, "empty.jpg"); File.WriteAllBytes(empty, []);
        var text = Path.Combine(_dir, "notes.jpg"); File.WriteAllText(text, "this is not an image at all");
        var good = File.ReadAllBytes(WritePng(64, 64, (x, y) => ((byte)x, (byte)y, 0), "good.png"));
        var truncated = Path.Combine(_dir, "trunc.png"); File.WriteAllBytes(truncated, good[..(good.Length / 2)]);

        Assert.Equal(ImageProblem.Missing, Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(Path.Combine(_dir, "nope.png"), spec)).Problem);
        Assert.Equal(ImageProblem.Empty, Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(empty, spec)).Problem);
        Assert.Equal(ImageProblem.NotAnImage, Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(text, spec)).Problem);
        Assert.Equal(ImageProblem.Corrupt, Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(truncated, spec)).Problem);
        Assert.Equal(ImageProblem.NotAnImage, Assert.Throws<ImageDecodeException>(() => ImageLoader.Load("hello"u8.ToArray(), spec)).Problem);
    }

    [Fact]
    public void PixelLimit_RejectsBeforeDecoding()
    {
        var path = WritePng(400, 300, (_, _) => (1, 2, 3));
        var ex = Assert.Throws<ImageDecodeException>(() => ImageLoader.Load(path, new PreprocessSpec(), new ImageLimits { MaxPixels = 100_000 }));
        Assert.Equal(ImageProblem.TooManyPixels, ex.Problem);
        Assert.Contains("400x300", ex.Reason);
    }
}

using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Imaging;

/// <summary>
/// <see cref="InputPlacement"/> must say exactly where the decoder put the picture: for letterbox, the content
/// rectangle libvips draws inside the grey bars (files, JPEG shrink-on-load, and already-decoded frames), so a box a
/// detector finds in the input maps back to the picture's own pixels.
/// </summary>
public class InputPlacementTests
{
    public static TheoryData<int, int, int, string> Cases()
    {
        var data = new TheoryData<int, int, int, string>();
        foreach (var (w, h) in new[] { (1920, 1080), (1080, 1920), (640, 320), (333, 100), (101, 997), (4000, 3000), (320, 320), (641, 479), (1279, 719) })
            foreach (var side in new[] { 128, 320 })
                foreach (var format in new[] { "png", "jpg", "frame" })
                    data.Add(w, h, side, format);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Letterbox_ContentRectangle_IsWhereThePlacementSays(int width, int height, int side, string format)
    {
        var picture = Solid(width, height);
        var target = new ImageTarget(side, side, ImageFit.Letterbox);
        var input = format switch
        {
            "png" => ImageDecoder.Decode(ImageSource.FromBytes(ImageEncoding.Png(picture), "p.png"), target).Pixels,
            "jpg" => ImageDecoder.Decode(ImageSource.FromBytes(ImageEncoding.Jpeg(picture, 95), "p.jpg"), target).Pixels,
            _ => ImageDecoder.Fit(picture, target),
        };
        var (left, top, right, bottom) = ContentBounds(input);
        var p = InputPlacement.For(target, width, height);
        Assert.Equal(p.OffsetX, left);
        Assert.Equal(p.OffsetY, top);
        Assert.Equal(Math.Round(p.ScaleX * width), right - left, 3);
        Assert.Equal(Math.Round(p.ScaleY * height), bottom - top, 3);
        // The whole picture maps onto that rectangle and back.
        var whole = p.ToInput(new BoxF(0, 0, width, height));
        Assert.Equal(new BoxF(left, top, right, bottom), whole with { X2 = MathF.Round(whole.X2), Y2 = MathF.Round(whole.Y2) });
        var back = p.ToSource(new BoxF(left, top, right, bottom));
        Assert.InRange(back.X1, -0.01f, 0.01f);
        Assert.InRange(back.Y2, height - 0.01f, height + 0.01f);
    }

    [Fact]
    public void Stretch_AndCentreCrop_MapBoxesBack()
    {
        var stretch = InputPlacement.For(new PreprocessSpec { Width = 416, Height = 416, Resize = ResizeMode.Stretch }, 832, 208);
        Assert.Equal(new BoxF(0, 0, 832, 208), stretch.ToSource(new BoxF(0, 0, 416, 416)));
        var crop = InputPlacement.For(new PreprocessSpec { Width = 100, Height = 100 }, 400, 200);
        Assert.Equal(new BoxF(100, 0, 300, 200), crop.ToSource(new BoxF(0, 0, 100, 100)));
    }

    private static RgbImage Solid(int width, int height)
    {
        var px = new byte[width * height * 3];
        for (int i = 0; i < px.Length; i += 3) { px[i] = 220; px[i + 1] = 30; px[i + 2] = 30; }
        return new RgbImage(width, height, px);
    }

    /// <summary>The rectangle of pixels that are clearly the red picture (not the 114 grey), as [left, right) x [top, bottom).</summary>
    private static (int Left, int Top, int Right, int Bottom) ContentBounds(RgbImage image)
    {
        int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                if (image.Pixels[(y * image.Width + x) * 3] < 167) continue; // halfway between grey 114 and red 220
                left = Math.Min(left, x); top = Math.Min(top, y); right = Math.Max(right, x + 1); bottom = Math.Max(bottom, y + 1);
            }
        return (left, top, right, bottom);
    }
}

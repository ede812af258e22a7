
namespace Lookout.Core.Imaging;

/// <summary>Pure pixel operations on <see cref="RgbImage"/> (no codec): bilinear crop-and-resize.</summary>
public static class PixelOps
{
    /// <summary>
    /// Samples <paramref name="box"/> (source pixels, may extend past the image) into a <paramref name="width"/> x
    /// <paramref name="height"/> image with bilinear interpolation at pixel centres. Sample points outside the image
    /// are black, like TF's <c>cropAndResize</c> (extrapolation 0) that the face models were run with upstream.
    /// </summary>
    public static RgbImage CropResize(RgbImage source, BoxF box, int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), "output size must be positive");
        var dst = new byte[width * height * 3];
        float sx = box.Width / width, sy = box.Height / height;
        int w = source.Width, h = source.Height;
        var src = source.Pixels;
        for (int oy = 0; oy < height; oy++)
        {
            float fy = box.Y1 + (oy + 0.5f) * sy - 0.5f;
            if (fy < -0.5f || fy > h - 0.5f) continue; // outside the image: stays black
            int y0 = (int)MathF.Floor(fy);
            float ty = fy - y0;
            int ya = Math.Clamp(y0, 0, h - 1), yb = Math.Clamp(y0 + 1, 0, h - 1);
            for (int ox = 0; ox < width; ox++)
            {
                float fx = box.X1 + (ox + 0.5f) * sx - 0.5f;
                if (fx < -0.5f || fx > w - 0.5f) continue;
                int x0 = (int)MathF.Floor(fx);
                float tx = fx - x0;
                int xa = Math.Clamp(x0, 0, w - 1), xb = Math.Clamp(x0 + 1, 0, w - 1);
                int o = (oy * width + ox) * 3;
                int p00 = (ya * w + xa) * 3, p01 = (ya * w + xb) * 3, p10 = (yb * w + xa) * 3, p11 = (yb * w + xb) * 3;
                for (int c = 0; c < 3; c++)
                {
                    float top = src[p00 + c] + (src[p01 + c] - src[p00 + c]) * tx;
                    float bottom = src[p10 + c] + (src[p11 + c] - src[p10 + c]) * tx;
                    dst[o + c] = (byte)Math.Clamp(MathF.Round(top + (bottom - top) * ty), 0, 255);
                }
            }
        }
        return new RgbImage(width, height, dst);
    }

    /// <summary>
    /// The whole image stretched to the given size (what a Stretch spec feeds a model), with libvips' antialiased
    /// resize so a large frame shrinks without aliasing.
    /// </summary>
    public static RgbImage Stretch(RgbImage source, int width, int height)
    {
        if (source.Width == width && source.Height == height) return source;
        using var image = NetVips.Image.NewFromMemory(source.Pixels, source.Width, source.Height, 3, NetVips.Enums.BandFormat.Uchar);
        using var resized = image.Resize((double)width / source.Width, vscale: (double)height / source.Height);
        using var exact = resized.Width == width && resized.Height == height ? resized.Copy() : resized.ThumbnailImage(width, height: height, size: NetVips.Enums.Size.Force);
        return new RgbImage(width, height, exact.WriteToMemory<byte>());
    }

    /// <summary>
    /// Fits the whole image into a <paramref name="size"/> square keeping its aspect (antialiased resize), centred on
    /// black. Returns the image and how its pixels map back: original = (input − offset) / scale.
    /// </summary>
    public static (RgbImage Image, float Scale, float OffsetX, float OffsetY) Letterbox(RgbImage source, int size)
    {
        float scale = (float)size / Math.Max(source.Width, source.Height);
        int w = Math.Clamp((int)MathF.Round(source.Width * scale), 1, size), h = Math.Clamp((int)MathF.Round(source.Height * scale), 1, size);
        var fitted = Stretch(source, w, h);
        int ox = (size - w) / 2, oy = (size - h) / 2;
        var dst = new byte[size * size * 3];
        for (int y = 0; y < h; y++)
            Buffer.BlockCopy(fitted.Pixels, y * w * 3, dst, ((y + oy) * size + ox) * 3, w * 3);
        return (new RgbImage(size, size, dst), (float)w / source.Width, ox, oy);
    }
}

using Lookout.Core.IO;
using Lookout.Core.Imaging;
using NetVips;

namespace Lookout.Core.Evaluation.Explain;

/// <summary>Colours a 0..1 heatmap with a jet-like map and blends it over the image; writes PNGs with NetVips.</summary>
public static class HeatmapOverlay
{
    /// <summary>Jet-like colour for v in 0..1: blue → cyan → yellow → red.</summary>
    public static (byte R, byte G, byte B) Jet(float v)
    {
        v = Math.Clamp(v, 0f, 1f);
        static byte C(float x) => (byte)Math.Round(Math.Clamp(x, 0f, 1f) * 255);
        return (C(1.5f - Math.Abs(4 * v - 3)), C(1.5f - Math.Abs(4 * v - 2)), C(1.5f - Math.Abs(4 * v - 1)));
    }

    /// <summary>
    /// image*(1-a) + jet(heat)*a with a = <paramref name="opacity"/> scaled by the heat, so cold areas keep the photo.
    /// </summary>
    public static RgbImage Blend(RgbImage image, GradCamMap map, float opacity = 0.6f)
    {
        if (map.Width != image.Width || map.Height != image.Height)
            throw new LookoutException($"Heatmap is {map.Width}x{map.Height} but the image is {image.Width}x{image.Height}.");
        var dst = new byte[image.ByteCount];
        for (int i = 0; i < map.Values.Length; i++)
        {
            float v = map.Values[i];
            var (r, g, b) = Jet(v);
            float a = opacity * (0.35f + 0.65f * v);
            int p = i * 3;
            dst[p] = Mix(image.Pixels[p], r, a);
            dst[p + 1] = Mix(image.Pixels[p + 1], g, a);
            dst[p + 2] = Mix(image.Pixels[p + 2], b, a);
        }
        return new RgbImage(image.Width, image.Height, dst);
    }

    public static byte[] EncodePng(RgbImage image)
    {
        using var vips = Image.NewFromMemory(image.Pixels, image.Width, image.Height, 3, Enums.BandFormat.Uchar);
        return vips.PngsaveBuffer();
    }

    /// <summary>Writes the overlay PNG atomically (temp file + rename).</summary>
    public static void SavePng(RgbImage image, GradCamMap map, string path, float opacity = 0.6f)
    {
        AtomicFile.WriteAllBytes(path, EncodePng(Blend(image, map, opacity)));
    }

    private static byte Mix(byte under, byte over, float a) => (byte)Math.Clamp((int)Math.Round(under * (1 - a) + over * a), 0, 255);
}

using NetVips;

namespace Lookout.Core.Imaging;

/// <summary>How Lookout drives libvips when it decodes: strict loaders, no operation cache, deterministic errors.</summary>
internal static class VipsDecoding
{
    /// <summary>
    /// Loader options as an option string. The <c>failOn</c> argument of NetVips' <c>ThumbnailBuffer</c> is not passed
    /// to the loader (a truncated upload decoded as grey while the same file failed); the option string is.
    /// </summary>
    public const string FailOnError = "[fail_on=error]";

    static VipsDecoding()
    {
        // Every decode works on fresh bytes, so cached operations are never reused; they would only keep
        // decoded pixels (and the upload they came from) alive after the request.
        Cache.Max = 0;
        Cache.MaxFiles = 0;
        // libvips prints a warning per bad tile of a corrupt file ("not enough data", "error in tile 0 x 8") on
        // stderr; the file's failure is already reported once, with its name, by whoever decoded it.
        Log.SetLogHandler("VIPS", Enums.LogLevelFlags.Warning, IgnoreWarning);
    }

    private static readonly Log.LogDelegate IgnoreWarning = (_, _, _) => { };

    /// <summary>Runs the static constructor once before the first libvips call of a decode.</summary>
    public static void EnsureConfigured() { }

    /// <summary>
    /// A libvips failure as a user-facing reason. libvips keeps ONE error buffer for the whole process, so its text
    /// can belong to another thread's decode (under parallel decoding a reason was printed against the wrong file):
    /// the reason is built from what this call knows, and libvips' text stays only in the inner exception.
    /// </summary>
    public static ImageDecodeException Corrupt(string source, string format, VipsException e) =>
        new(source, ImageProblem.Corrupt, $"corrupt or truncated {format.ToUpperInvariant()} image", e);

    /// <summary>Any band count, format and colourspace -> 3-band 8-bit sRGB, alpha flattened onto white.</summary>
    public static Image ToRgb8(Image image)
    {
        var img = image;
        var owned = new List<Image>();
        try
        {
            if (img.HasAlpha()) { img = img.Flatten(background: [255, 255, 255]); owned.Add(img); }
            if (img.Interpretation != Enums.Interpretation.Srgb || img.Bands != 3)
            {
                img = img.Colourspace(Enums.Interpretation.Srgb); owned.Add(img);
            }
            if (img.Bands > 3) { img = img.ExtractBand(0, n: 3); owned.Add(img); }
            if (img.Format != Enums.BandFormat.Uchar) { img = img.Cast(Enums.BandFormat.Uchar); owned.Add(img); }
            return img.Copy();
        }
        finally
        {
            foreach (var o in owned) o.Dispose();
        }
    }

    public static RgbImage ToRgbImage(Image image)
    {
        using var rgb = ToRgb8(image);
        return new RgbImage(rgb.Width, rgb.Height, rgb.WriteToMemory<byte>());
    }
}

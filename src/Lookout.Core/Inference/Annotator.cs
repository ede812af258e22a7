using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.IO;
using NetVips;

namespace Lookout.Core.Inference;

/// <summary>A box to draw with its caption (e.g. "person 0.91"); <see cref="ColorKey"/> picks a stable colour (class id).</summary>
public sealed record Annotation(BoxF Box, string Caption, int ColorKey);

/// <summary>
/// Draws boxes and captions onto the original image (EXIF orientation applied, full size) and writes it atomically;
/// the format follows the output extension (.jpg, .png, .webp).
/// </summary>
public static class Annotator
{
    // Distinct, readable on white text: a fixed palette indexed by the colour key.
    private static readonly double[][] Palette =
    [
        [230, 25, 75], [60, 180, 75], [0, 130, 200], [245, 130, 48], [145, 30, 180],
        [70, 140, 140], [240, 50, 230], [128, 128, 0], [0, 0, 128], [170, 110, 40],
    ];

    public static void Write(string sourcePath, IEnumerable<Annotation> annotations, string outputPath)
    {
        var format = FormatFor(outputPath);
        AtomicFile.WriteAllBytes(outputPath, Render(ImageSource.FromFile(sourcePath), annotations, format));
    }

    public static void Write(byte[] source, IEnumerable<Annotation> annotations, string outputPath, string sourceName = "upload") =>
        AtomicFile.WriteAllBytes(outputPath, Render(source, annotations, Path.GetExtension(outputPath), sourceName));

    /// <summary>The annotated image encoded in memory (for an HTTP answer); <paramref name="extension"/> is .jpg, .png or .webp.</summary>
    public static byte[] Render(byte[] source, IEnumerable<Annotation> annotations, string extension = ".jpg", string sourceName = "upload")
    {
        var format = FormatFor("x" + extension);
        return Render(ImageSource.FromBytes(source, sourceName), annotations, format);
    }

    /// <summary>Decodes the original at full size (oriented) through the shared decoder, then draws.</summary>
    private static byte[] Render(ImageSource source, IEnumerable<Annotation> annotations, string format)
    {
        var original = ImageDecoder.Decode(source, ImageTarget.Within(ImageTarget.Unbounded)).Pixels;
        using var image = Image.NewFromMemory(original.Pixels, original.Width, original.Height, 3, Enums.BandFormat.Uchar);
        using var srgb = image.Copy(interpretation: Enums.Interpretation.Srgb);
        return Render(srgb, annotations, format);
    }

    private static string FormatFor(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".jpg" or ".jpeg" => ".jpg[Q=90]",
            ".png" => ".png",
            ".webp" => ".webp[Q=90]",
            _ => throw new ArgumentException($"annotated output must be .jpg, .png or .webp, not '{ext}'"),
        };
    }

    private static byte[] Render(Image original, IEnumerable<Annotation> annotations, string format)
    {
        using var rgb = original.Copy();
        int thickness = Math.Max(2, Math.Min(rgb.Width, rgb.Height) / 300);
        int dpi = Math.Clamp(Math.Min(rgb.Width, rgb.Height) / 6, 72, 300);
        var list = annotations.ToList();
        // Captions are rendered outside Mutate (text needs a normal pipeline) and pasted inside it.
        var captions = list.Select(a => Caption(a.Caption, Palette[Math.Abs(a.ColorKey) % Palette.Length], dpi)).ToList();
        try
        {
            using var drawn = rgb.Mutate(m =>
            {
                for (int i = 0; i < list.Count; i++)
                {
                    var box = list[i].Box.Clamp(rgb.Width - 1, rgb.Height - 1);
                    var colour = Palette[Math.Abs(list[i].ColorKey) % Palette.Length];
                    int x = (int)box.X1, y = (int)box.Y1, w = Math.Max(1, (int)box.Width), h = Math.Max(1, (int)box.Height);
                    for (int t = 0; t < thickness && 2 * t < Math.Min(w, h); t++)
                        m.DrawRect(colour, x + t, y + t, w - 2 * t, h - 2 * t);
                    var caption = captions[i];
                    int cy = y - caption.Height >= 0 ? y - caption.Height : y; // above the box, else just inside it
                    int cx = Math.Min(x, Math.Max(0, rgb.Width - caption.Width));
                    m.DrawImage(caption, cx, cy);
                }
            });
            return drawn.WriteToBuffer(format);
        }
        finally
        {
            foreach (var c in captions) c.Dispose();
        }
    }

    /// <summary>White text on a tile of the box colour, a few pixels of padding.</summary>
    private static Image Caption(string text, double[] colour, int dpi)
    {
        using var mask = Image.Text(System.Security.SecurityElement.Escape(text) ?? text, dpi: dpi);
        int pad = Math.Max(2, mask.Height / 6);
        using var padded = mask.Embed(pad, pad, mask.Width + 2 * pad, mask.Height + 2 * pad);
        return padded.Ifthenelse(new double[] { 255, 255, 255 }, colour, blend: true).Cast(Enums.BandFormat.Uchar);
    }
}

using Lookout.Core.Imaging;

namespace Lookout.Core.Datasets.Boxes;

/// <summary>The displayed (EXIF-oriented) size of an image file from its header, or why it cannot be read.</summary>
internal static class ImageSizes
{
    public static (int Width, int Height, string? Error) Read(string path)
    {
        if (!File.Exists(path)) return (0, 0, "missing image");
        try
        {
            var header = ImageHeader.Read(ImageSource.FromFile(path));
            return (header.DisplayWidth, header.DisplayHeight, null);
        }
        catch (ImageDecodeException e) { return (0, 0, "image cannot be read: " + e.Reason); }
    }

    /// <summary>
    /// Files under a dataset folder, recursively, skipping what cannot be read and never following symbolic links
    /// (a link loop or an unreadable sub-folder must not stop an import).
    /// </summary>
    public static IEnumerable<string> Files(string dir, string pattern = "*") =>
        Directory.EnumerateFiles(dir, pattern, new EnumerationOptions
        {
            RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint,
            MatchCasing = MatchCasing.CaseInsensitive,
        });

    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"];

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The image beside a label file: same stem, any image extension, in <paramref name="dir"/>.</summary>
    public static string? FindByStem(string dir, string stem)
    {
        foreach (var ext in Extensions)
        {
            foreach (var candidate in new[] { ext, ext.ToUpperInvariant() })
            {
                var p = Path.Combine(dir, stem + candidate);
                if (File.Exists(p)) return p;
            }
        }
        return null;
    }
}

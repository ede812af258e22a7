namespace Lookout.Core;

/// <summary>File extensions Lookout treats as images and videos. Images are also recognised by content.</summary>
public static class MediaTypes
{
    public static readonly IReadOnlySet<string> ImageExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff" };

    public static readonly IReadOnlySet<string> VideoExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v" };

    /// <summary>OS clutter that is skipped silently rather than reported as unreadable.</summary>
    private static readonly HashSet<string> Clutter = new(StringComparer.OrdinalIgnoreCase) { "Thumbs.db", "desktop.ini", "Icon\r" };

    public static bool IsImagePath(string path) => ImageExtensions.Contains(Path.GetExtension(path));
    public static bool IsVideoPath(string path) => VideoExtensions.Contains(Path.GetExtension(path));
    public static bool IsIgnored(string fileName) => fileName.StartsWith('.') || Clutter.Contains(fileName);
}

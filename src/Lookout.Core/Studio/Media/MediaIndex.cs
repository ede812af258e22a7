using Lookout.Core.Datasets;
using Lookout.Core.Imaging;
using Lookout.Core.IO;

namespace Lookout.Core.Studio.Media;

/// <summary>
/// Thumbnails on disk (<c>cache/thumbs/ab/&lt;sha&gt;.jpg</c>, written atomically, named by content) and their facts in
/// <c>studio_media</c>. Content keys mean a moved or renamed file never needs a new thumbnail.
/// </summary>
public static class MediaIndex
{
    public static string ThumbPath(StudioProject project, string sha) =>
        Path.Combine(project.ThumbsDir, sha[..2], sha + ".jpg");

    /// <summary>The thumbnail JPEG for a content hash, made on first request; null when no item has that content.</summary>
    public static byte[]? Thumb(StudioProject project, string sha)
    {
        if (!IsSha(sha)) return null;
        var path = ThumbPath(project, sha);
        if (File.Exists(path)) return File.ReadAllBytes(path);
        var file = ItemQuery.FileOf(project, sha);
        if (file is null) return null;
        return Index(project, sha, file)?.Jpeg;
    }

    /// <summary>Makes thumbnails and facts for the given items that lack them (in parallel); returns how many were made.</summary>
    public static int EnsureFacts(StudioProject project, IEnumerable<StudioItem> items, CancellationToken ct = default)
    {
        var todo = items.Where(i => i.Media is null).DistinctBy(i => i.Sha256).ToList();
        int made = 0;
        Parallel.ForEach(todo, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, item =>
        {
            var file = ItemQuery.FileOf(project, item.Sha256);
            if (file is not null && Index(project, item.Sha256, file) is not null) Interlocked.Increment(ref made);
        });
        return made;
    }

    private static Thumbnail? Index(StudioProject project, string sha, string file)
    {
        Thumbnail thumb;
        try { thumb = Thumbnailer.Make(file); }
        catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException) { return null; }
        AtomicFile.WriteAllBytes(ThumbPath(project, sha), thumb.Jpeg);
        using var catalog = project.OpenCatalog();
        var f = thumb.Facts;
        catalog.Exec("""
            INSERT OR REPLACE INTO studio_media(sha,sharpness,contrast,dhash,thumb_w,thumb_h) VALUES($s,$sh,$c,$d,$w,$h)
            """, ("$s", sha), ("$sh", f.Sharpness), ("$c", f.Contrast), ("$d", unchecked((long)f.DHash)), ("$w", f.ThumbWidth), ("$h", f.ThumbHeight));
        return thumb;
    }

    private static bool IsSha(string s) => s.Length == 64 && s.All(char.IsAsciiHexDigitLower);
}

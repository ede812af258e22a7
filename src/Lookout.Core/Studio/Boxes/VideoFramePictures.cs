using System.Text.Json;
using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Boxes;
using Lookout.Core.IO;

namespace Lookout.Core.Studio.Boxes;

/// <summary>
/// In a detection project a video's frames become pictures to box. Training reads images and their YOLO files from the
/// data folder, while the frames the scan keeps (one per second, near-repeats dropped) live in the workspace; so each
/// kept frame is linked (or copied) beside its video as <c>&lt;video&gt;_frame_&lt;ms&gt;.png</c>. That name is what
/// <see cref="BoxGroups"/> reads as "a frame of that video", so every frame of one video falls in the same split.
/// The video itself stays where it is (nothing the user sent is thrown away); the importer reads images only.
/// </summary>
public static class VideoFramePictures
{
    /// <summary>Where the project keeps the content hashes of the videos whose frames were written as pictures.</summary>
    public const string WrittenKey = "studio.frame_pictures";

    /// <summary>
    /// Writes the frame pictures of every cataloged video that never had them (an upload, or a video copied into the data
    /// folder by hand), each video once: a picture the user left out or deleted is not brought back. Answers how many
    /// videos got pictures; rescan when it is not 0.
    /// </summary>
    public static Task<int> WriteMissingAsync(StudioProject project, CancellationToken ct = default) => project.Locked(() =>
    {
        using var catalog = project.OpenCatalog();
        var written = new HashSet<string>(Read(catalog.GetMeta(WrittenKey)), StringComparer.Ordinal);
        int videos = 0;
        foreach (var video in catalog.Query("SELECT * FROM items WHERE kind='Video' AND status='Ok' AND sha256 IS NOT NULL ORDER BY path"))
        {
            if (!written.Add(video.Sha256!)) continue;
            Write(project, catalog, video.Path);
            videos++;
        }
        if (videos > 0) catalog.SetMeta(WrittenKey, JsonSerializer.Serialize(written.Order(StringComparer.Ordinal)));
        return videos;
    }, ct);

    private static IEnumerable<string> Read(string? json)
    {
        if (string.IsNullOrEmpty(json)) return [];
        try { return JsonSerializer.Deserialize<List<string>>(json) ?? []; }
        catch (JsonException) { return []; }
    }

    /// <summary>Puts the video's kept frames beside it (a picture already there is left as it is). Call holding the project's gate.</summary>
    private static void Write(StudioProject project, Catalog catalog, string videoRelative)
    {
        foreach (var frame in Frames(catalog, videoRelative))
        {
            var target = Path.Combine(project.DataDir, PicturePath(videoRelative, frame.SourceTimeMs ?? 0, Path.GetExtension(frame.File!)));
            var source = Path.Combine(project.Workspace.Root, frame.File!);
            // A half-hour video is 1,800 frames: a second name for the same file costs no space; a copy where that cannot be.
            if (!File.Exists(target) && !LinuxFiles.TryHardLink(source, target)) AtomicFile.WriteAllBytes(target, File.ReadAllBytes(source));
        }
    }

    /// <summary>The catalog ids of the video's frame pictures, in time order (empty before <see cref="Write"/>).</summary>
    internal static IReadOnlyList<long> Ids(Catalog catalog, string videoRelative)
    {
        var ids = new List<long>();
        foreach (var frame in Frames(catalog, videoRelative))
        {
            var relative = PicturePath(videoRelative, frame.SourceTimeMs ?? 0, Path.GetExtension(frame.File!));
            using var cmd = catalog.Connection.Command("SELECT rowid FROM items WHERE path=$p AND kind='Image' AND status='Ok'", ("$p", relative));
            if (cmd.ExecuteScalar() is long id) ids.Add(id);
        }
        return ids;
    }

    /// <summary><c>_unlabelled/clip.mp4</c> at 12.5 s → <c>_unlabelled/clip_frame_0012500.png</c> (sorts in time order).</summary>
    public static string PicturePath(string videoRelative, long timeMs, string extension)
    {
        var dir = Path.GetDirectoryName(videoRelative.Replace('\\', '/'))?.Replace('\\', '/') ?? "";
        var name = $"{Path.GetFileNameWithoutExtension(videoRelative)}_frame_{timeMs:D7}{extension}";
        return dir.Length == 0 ? name : dir + "/" + name;
    }

    private static IEnumerable<CatalogItem> Frames(Catalog catalog, string videoRelative) =>
        catalog.Query("SELECT * FROM items WHERE kind='Frame' AND source=$p AND status='Ok' AND file IS NOT NULL ORDER BY source_ms", ("$p", videoRelative));
}

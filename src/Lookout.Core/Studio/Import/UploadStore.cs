using Lookout.Core.Datasets;
using Lookout.Core.Imaging;
using Lookout.Core.IO;
using Lookout.Core.Studio.Boxes;
using Lookout.Core.Studio.Media;
using Lookout.Core.Video;

namespace Lookout.Core.Studio.Import;

public enum UploadStatus { Added, Duplicate, Rejected }

/// <summary>
/// What became of one received file. <see cref="Ids"/> are the grid items it produced: the photo, or a video's frames.
/// In a detection project a video's frames are written beside it as photos to box (<see cref="VideoFramePictures"/>), and
/// those are its items. <see cref="Name"/> is the name the client gave, echoed for its report only; it never names a file on disk.
/// </summary>
public sealed record UploadResult(string Name, UploadStatus Status, string? Reason, string? Sha256, bool Video, IReadOnlyList<long> Ids, string? Label);

/// <summary>Limits on what a client may send; defaults in one place.</summary>
public sealed record UploadLimits
{
    public long MaxImageBytes { get; init; } = 50L * 1024 * 1024;
    public long MaxVideoBytes { get; init; } = 500L * 1024 * 1024;
    public long MaxPixels { get; init; } = 50_000_000;
    public TimeSpan MaxVideoDuration { get; init; } = TimeSpan.FromMinutes(30);

    public ImageLimits ImageLimits => new() { MaxFileBytes = MaxImageBytes, MaxPixels = MaxPixels };
}

/// <summary>
/// Adds received photos and videos to a project: bytes to a temp file (hashed while written), sniffed, checked
/// (decoded within the pixel limit; videos probed), refused when the same content (SHA-256) is already there, then
/// renamed into <c>data/&lt;class&gt;/&lt;sha&gt;.&lt;ext&gt;</c> (or <c>_unlabelled/</c>) and cataloged by the incremental scan.
/// Stored names come from the content hash, so nothing a client sends names a file.
/// </summary>
public sealed class UploadStore(StudioProject project, ScanCoalescer scanner, UploadLimits limits)
{
    /// <param name="imagesOnly">Refuse videos (URL lists are lists of images).</param>
    public async Task<UploadResult> AddAsync(Stream content, string? clientName, string? label, bool imagesOnly = false, CancellationToken ct = default)
    {
        var name = string.IsNullOrWhiteSpace(clientName) ? "upload" : clientName.Trim();
        // "None of these" (the _none background class) may be the target too: its folder is made when first needed.
        var background = BackgroundClass.Is(label);
        var folder = label is null ? FolderLayout.UnlabelledFolder : background ? BackgroundClass.Label : StudioNames.Check(label);
        if (label is not null && !background && !ProjectClasses.Exists(project, folder)) throw new StudioException($"no class named '{label}'", StudioProblem.NotFound);

        using var received = await ReceivedFile.ReceiveAsync(content, project.TempDir, Math.Max(limits.MaxImageBytes, limits.MaxVideoBytes), ct).ConfigureAwait(false);
        var sniffed = MediaSniffer.Sniff(received.Head);
        if (sniffed is null) return Rejected(name, imagesOnly ? "not an image (sniffed from its bytes)" : "not an image or video Lookout can read (sniffed from its bytes)");
        if (imagesOnly && sniffed.IsVideo) return Rejected(name, "a video, not an image");
        if (!sniffed.IsVideo && received.Length > limits.MaxImageBytes)
            return Rejected(name, $"image larger than the limit of {limits.MaxImageBytes / 1024 / 1024} MB");
        var problem = sniffed.IsVideo ? await CheckVideoAsync(received.TempPath, ct).ConfigureAwait(false) : CheckImage(received.TempPath);
        if (problem is not null) return Rejected(name, problem) with { Sha256 = received.Sha256 };

        var relative = $"{folder}/{received.Sha256[..16]}{sniffed.Extension}";
        var duplicate = await project.Locked(() =>
        {
            if (Existing(received.Sha256) is { } existing) return existing;
            var target = Path.Combine(project.DataDir, relative);
            if (File.Exists(target)) return Existing(received.Sha256) ?? new UploadResult(name, UploadStatus.Duplicate, "already in the project", received.Sha256, sniffed.IsVideo, [], label);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(received.TempPath, target); // same file system: an atomic rename, never a half file
            return null;
        }, ct).ConfigureAwait(false);
        if (duplicate is not null) return duplicate with { Name = name };

        await scanner.ScanAsync(ct).ConfigureAwait(false);
        if (sniffed.IsVideo && BoxProject.IsDetection(project) && await VideoFramePictures.WriteMissingAsync(project, ct).ConfigureAwait(false) > 0)
            await scanner.ScanAsync(ct).ConfigureAwait(false); // a detection project boxes pictures: the video's frames were written as photos
        var ids = IdsFor(relative, sniffed.IsVideo);
        MediaIndex.EnsureFacts(project, ItemQuery.ByIds(project, ids), ct);
        if (ids.Count == 0) return Rejected(name, ReasonFor(relative) ?? "no usable picture in it") with { Sha256 = received.Sha256, Video = sniffed.IsVideo };
        return new UploadResult(name, UploadStatus.Added, null, received.Sha256, sniffed.IsVideo, ids, label);
    }

    private static UploadResult Rejected(string name, string reason) => new(name, UploadStatus.Rejected, reason, null, false, [], null);

    private string? CheckImage(string path)
    {
        try { ImageInspector.Inspect(path, limits.ImageLimits); return null; }
        catch (ImageDecodeException e) { return e.Reason; }
    }

    private async Task<string?> CheckVideoAsync(string path, CancellationToken ct)
    {
        try
        {
            var info = await VideoProbe.ProbeAsync(path, ct: ct).ConfigureAwait(false);
            if ((long)info.Width * info.Height > limits.MaxPixels) return $"video frames of {info.Width}x{info.Height} are over the pixel limit";
            if (info.Duration > limits.MaxVideoDuration) return $"video longer than {limits.MaxVideoDuration.TotalMinutes:0} minutes";
            return null;
        }
        catch (VideoException e) { return e.Reason; }
    }

    /// <summary>The earlier photo or video with the same bytes, as a duplicate result (its items and label).</summary>
    private UploadResult? Existing(string sha)
    {
        using var catalog = project.OpenCatalog();
        var row = catalog.Query("SELECT * FROM items WHERE sha256=$s AND kind IN ('Image','Video') AND status<>'Missing' ORDER BY path LIMIT 1", ("$s", sha)).FirstOrDefault();
        if (row is null) return null;
        var ids = IdsFor(catalog, row.Path, row.Kind == ItemKind.Video);
        return new UploadResult("", UploadStatus.Duplicate, "the same file is already in the project", sha, row.Kind == ItemKind.Video, ids, row.Label);
    }

    private IReadOnlyList<long> IdsFor(string relative, bool video)
    {
        using var catalog = project.OpenCatalog();
        return IdsFor(catalog, relative, video);
    }

    private IReadOnlyList<long> IdsFor(Catalog catalog, string relative, bool video)
    {
        if (video && BoxProject.IsDetection(project)) return VideoFramePictures.Ids(catalog, relative);
        var sql = video
            ? "SELECT rowid FROM items WHERE kind='Frame' AND source=$p AND status='Ok' ORDER BY source_ms"
            : "SELECT rowid FROM items WHERE path=$p AND status='Ok'";
        using var cmd = catalog.Connection.Command(sql, ("$p", relative));
        using var r = cmd.ExecuteReader();
        var ids = new List<long>();
        while (r.Read()) ids.Add(r.GetInt64(0));
        return ids;
    }

    private string? ReasonFor(string relative)
    {
        using var catalog = project.OpenCatalog();
        return catalog.Query("SELECT * FROM items WHERE path=$p", ("$p", relative)).FirstOrDefault()?.Reason;
    }
}

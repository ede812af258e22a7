using System.Diagnostics;
using Lookout.Core.Imaging;
using Lookout.Core.Video;

namespace Lookout.Core.Datasets;

/// <summary>
/// Walks a data folder and brings the catalog up to date. Unchanged files (same size and mtime) are not
/// re-hashed or decoded; each changed file is checked and written in its own transaction, so a bad file is
/// recorded with its reason and never stops the scan; files that disappeared are marked missing.
/// </summary>
internal sealed class DatasetScanner(Workspace workspace, Catalog catalog, ScanOptions options)
{
    private readonly VideoFrameExtractor _extractor = new(workspace, options);

    private sealed record Counters
    {
        public int Added, Updated, Unchanged, Frames;
    }

    public async Task<ScanResult> ScanAsync(string dataDir, IProgress<ScanProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var root = Path.GetFullPath(dataDir);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"data folder not found: {dataDir}");
        bool splitFolders = FolderLayout.HasSplitFolders(root);
        var files = DataFolder.Files(root, workspace.Root);
        var existing = catalog.All().Where(i => i.Kind != ItemKind.Frame).ToDictionary(i => i.Path, StringComparer.Ordinal);
        var c = new Counters();

        for (int n = 0; n < files.Count; n++)
        {
            ct.ThrowIfCancellationRequested();
            var (full, rel) = files[n];
            progress?.Report(new ScanProgress(n, files.Count, c.Frames, rel));
            var info = new FileInfo(full);
            existing.TryGetValue(rel, out var old);
            if (old is not null && IsUnchanged(old, info)) { c.Unchanged++; continue; }
            await ScanFileAsync(full, rel, info, FolderLayout.Place(rel, splitFolders), c, ct).ConfigureAwait(false);
            if (old is null) c.Added++; else c.Updated++;
        }

        var seen = files.Select(f => f.Relative).ToHashSet(StringComparer.Ordinal);
        var gone = existing.Values.Where(i => i.Status != ItemStatus.Missing && !seen.Contains(i.Path)).ToList();
        catalog.Write(w => { foreach (var item in gone) w.MarkMissing(item.Path); });
        RemoveOrphanFrameFolders();
        progress?.Report(new ScanProgress(files.Count, files.Count, c.Frames, null));

        var problems = catalog.All().Where(i => i.Status == ItemStatus.Unreadable)
            .Select(i => new ScanProblem(i.Path, i.Reason ?? "unreadable")).ToList();
        return new ScanResult(c.Added, c.Updated, c.Unchanged, problems.Count, gone.Count, c.Frames, problems, clock.Elapsed);
    }

    private bool IsUnchanged(CatalogItem old, FileInfo info) =>
        old.Status != ItemStatus.Missing && old.Size == info.Length && old.MTime == info.LastWriteTimeUtc.Ticks
        && (old.Kind != ItemKind.Video || old.Status != ItemStatus.Ok || old.FrameParameters == options.FrameParameters);

    private async Task ScanFileAsync(string full, string rel, FileInfo info, Placement place, Counters c, CancellationToken ct)
    {
        var kind = MediaTypes.IsVideoPath(rel) ? ItemKind.Video
            : MediaTypes.IsImagePath(rel) || SafeSniff(full) ? ItemKind.Image : ItemKind.Other;
        var item = new CatalogItem
        {
            Path = rel, Kind = kind, Status = ItemStatus.Unreadable, Source = rel, Label = place.Label, Split = place.Split,
            SplitOrigin = place.Split == Split.Unassigned ? SplitOrigin.None : SplitOrigin.Folder,
            MTime = info.LastWriteTimeUtc.Ticks, Size = info.Length, Bytes = info.Length,
        };
        if (!place.IsValid) { catalog.Write(w => w.Upsert(item with { Reason = place.Problem })); return; }
        if (kind == ItemKind.Other) { catalog.Write(w => w.Upsert(item with { Reason = "not an image or video" })); return; }
        if (kind == ItemKind.Image) { catalog.Write(w => w.Upsert(InspectImage(full, item))); return; }
        await ScanVideoAsync(full, item, c, ct).ConfigureAwait(false);
    }

    private CatalogItem InspectImage(string full, CatalogItem item)
    {
        try
        {
            var facts = ImageInspector.Inspect(full, options.Limits);
            return item with { Status = ItemStatus.Ok, Sha256 = facts.Sha256, Width = facts.Width, Height = facts.Height, Bytes = facts.Bytes };
        }
        catch (ImageDecodeException e) { return item with { Reason = e.Reason }; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return item with { Reason = $"could not read the file ({e.Message})" }; }
    }

    private async Task ScanVideoAsync(string full, CatalogItem video, Counters c, CancellationToken ct)
    {
        IReadOnlyList<ExtractedFrame> frames;
        string sha;
        try
        {
            if (video.Size == 0) throw new VideoException(video.Path, "empty file");
            sha = ImageInspector.Sha256Of(full);
            frames = await _extractor.ExtractAsync(full, sha, () => c.Frames++, ct).ConfigureAwait(false);
        }
        catch (VideoException e)
        {
            catalog.Write(w => { w.DeleteFrames(video.Path); w.Upsert(video with { Reason = e.Reason }); });
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            catalog.Write(w => { w.DeleteFrames(video.Path); w.Upsert(video with { Reason = $"could not read the file ({e.Message})" }); });
            return;
        }

        // Frames replace the video's previous frames; an automatic or manual split given to them earlier is kept.
        var (split, origin) = (video.Split, video.SplitOrigin);
        if (origin != SplitOrigin.Folder && PreviousSplit(video.Path) is { } previous) (split, origin) = previous;
        catalog.Write(w =>
        {
            w.DeleteFrames(video.Path);
            w.Upsert(video with
            {
                Status = frames.Count > 0 ? ItemStatus.Ok : ItemStatus.Unreadable, Reason = frames.Count > 0 ? null : "no frames could be decoded",
                Sha256 = sha, FrameParameters = options.FrameParameters, Width = frames.FirstOrDefault()?.Width, Height = frames.FirstOrDefault()?.Height,
            });
            foreach (var f in frames)
            {
                long ms = (long)Math.Round(f.Time.TotalMilliseconds);
                w.Upsert(new CatalogItem
                {
                    Path = $"{video.Path}#t={ms}", Kind = ItemKind.Frame, Status = ItemStatus.Ok, Sha256 = f.Sha256,
                    Label = video.Label, Split = split, SplitOrigin = origin, Source = video.Path, SourceTimeMs = ms,
                    File = f.File, Width = f.Width, Height = f.Height, Bytes = f.Bytes,
                });
            }
        });
    }

    private (Split, SplitOrigin)? PreviousSplit(string videoPath) =>
        catalog.Query("SELECT * FROM items WHERE kind='Frame' AND source=$p AND split_origin IN ('Auto','Manual')", ("$p", videoPath))
            .GroupBy(i => (i.Split, i.SplitOrigin)).OrderByDescending(g => g.Count()).Select(g => ((Split, SplitOrigin)?)g.Key).FirstOrDefault();

    private static bool SafeSniff(string path)
    {
        try { return ImageInspector.SniffsAsImage(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Frame folders of videos no longer in the catalog (deleted or changed) are deleted.</summary>
    private void RemoveOrphanFrameFolders()
    {
        if (!Directory.Exists(workspace.FramesDir)) return;
        var live = catalog.All().Where(i => i.Kind == ItemKind.Video && i.Status == ItemStatus.Ok && i.Sha256 is not null)
            .Select(i => i.Sha256!).ToHashSet(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(workspace.FramesDir))
            if (!live.Contains(Path.GetFileName(dir))) Directory.Delete(dir, recursive: true);
    }
}

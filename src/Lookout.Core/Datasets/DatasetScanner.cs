using System.Diagnostics;
using Lookout.Core.IO;
using Lookout.Core.Imaging;
using Lookout.Core.Video;

namespace Lookout.Core.Datasets;

/// <summary>
/// Walks a data folder and brings the catalog up to date. Unchanged files (same size and mtime) are not
/// re-hashed or decoded; changed files are checked in parallel and written in small transactions. A bad file
/// is recorded with its reason and never stops the scan; files that disappeared are marked missing.
/// </summary>
internal sealed class DatasetScanner(Workspace workspace, Catalog catalog, ScanOptions options)
{
    private readonly VideoFrameExtractor _extractor = new(workspace, options);

    /// <summary>Files per catalog transaction: bounds the work a crash can lose and the commit overhead.</summary>
    private const int ChunkSize = 64;

    private sealed class Counters
    {
        public int Added, Updated, Unchanged, Frames, Done;
    }

    private sealed record Pending(string Full, string Relative, FileInfo Info, Placement Place, bool IsNew);

    public async Task<ScanResult> ScanAsync(string dataDir, IProgress<ScanProgress>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var root = Path.GetFullPath(dataDir);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"data folder not found: {dataDir}");
        bool splitFolders = FolderLayout.HasSplitFolders(root);
        var walk = DataFolder.Walk(root, workspace.Root);
        var files = walk.Files;
        int total = files.Count + walk.Skipped.Count;
        var existing = catalog.All().Where(i => i.Kind != ItemKind.Frame).ToDictionary(i => i.Path, StringComparer.Ordinal);
        var c = new Counters();
        var vanished = new HashSet<string>(StringComparer.Ordinal);
        var gate = new object();
        void Report(string? current, bool fileDone)
        {
            if (progress is null && !fileDone) return;
            lock (gate)
            {
                if (fileDone) c.Done++;
                progress?.Report(new ScanProgress(c.Done, total, c.Frames, current));
            }
        }
        RecordSkipped(walk.Skipped, existing, c);
        foreach (var s in walk.Skipped) Report(s.RelativePath, fileDone: true);
        // Decoding is latency-bound (libvips hands work to its own threads), so a little more than one per core helps.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = ct };

        foreach (var chunk in files.Chunk(ChunkSize))
        {
            ct.ThrowIfCancellationRequested();
            var pending = new List<Pending>();
            foreach (var (full, rel) in chunk)
            {
                var info = Facts(full);
                if (!info.Exists) { vanished.Add(rel); Report(rel, fileDone: true); continue; }     // deleted while scanning
                existing.TryGetValue(rel, out var old);
                var place = FolderLayout.Place(rel, splitFolders);
                if (old is not null && IsUnchanged(old, info, place)) { c.Unchanged++; Report(rel, fileDone: true); continue; }
                pending.Add(new Pending(full, rel, info, place, old is null));
            }
            var stills = pending.Where(p => !IsVideo(p)).ToList();
            var described = new CatalogItem[stills.Count];
            Parallel.For(0, stills.Count, parallel, i => { described[i] = Describe(stills[i]); Report(stills[i].Relative, fileDone: true); });
            catalog.Write(w => { foreach (var item in described) w.Upsert(item); });
            foreach (var video in pending.Where(IsVideo))
            {
                await ScanVideoAsync(video.Full, NewItem(video, ItemKind.Video), () => { Interlocked.Increment(ref c.Frames); Report(video.Relative, fileDone: false); }, ct)
                    .ConfigureAwait(false);
                Report(video.Relative, fileDone: true);
            }
            c.Added += pending.Count(p => p.IsNew);
            c.Updated += pending.Count(p => !p.IsNew);
        }

        var seen = files.Select(f => f.RelativePath).Concat(walk.Skipped.Select(f => f.RelativePath))
            .Where(r => !vanished.Contains(r)).ToHashSet(StringComparer.Ordinal);
        var gone = existing.Values.Where(i => i.Status != ItemStatus.Missing && !seen.Contains(i.Path)).ToList();
        catalog.Write(w => { foreach (var item in gone) w.MarkMissing(item.Path); });
        RemoveOrphanFrameFolders();
        progress?.Report(new ScanProgress(total, total, c.Frames, null));

        var problems = catalog.All().Where(i => i.Status == ItemStatus.Unreadable)
            .Select(i => new ScanProblem(i.Path, i.Reason ?? "unreadable")).ToList();
        return new ScanResult(c.Added, c.Updated, c.Unchanged, problems.Count, gone.Count, c.Frames, problems, clock.Elapsed);
    }

    /// <summary>
    /// Entries the walk did not list (special files, links not followed, unreadable folders, undecodable names) get a
    /// catalog row with their reason like any unreadable file, so stats, train and later scans report them too.
    /// </summary>
    private void RecordSkipped(IReadOnlyList<SkippedEntry> skipped, Dictionary<string, CatalogItem> existing, Counters c)
    {
        var changed = new List<CatalogItem>();
        foreach (var s in skipped)
        {
            var row = new CatalogItem { Path = s.RelativePath, Kind = ItemKind.Other, Status = ItemStatus.Unreadable, Reason = s.Reason, Source = s.RelativePath };
            existing.TryGetValue(s.RelativePath, out var old);
            if (old is { Kind: ItemKind.Other, Status: ItemStatus.Unreadable, Label: null } && old.Reason == s.Reason) { c.Unchanged++; continue; }
            changed.Add(row);
            if (old is null) c.Added++; else c.Updated++;
        }
        if (changed.Count > 0) catalog.Write(w => { foreach (var row in changed) w.Upsert(row); });
    }

    /// <summary>Videos are recognised by extension (when placed validly); everything else is described in parallel.</summary>
    private static bool IsVideo(Pending p) => p.Place.IsValid && MediaTypes.IsVideoPath(p.Relative);

    private static CatalogItem NewItem(Pending p, ItemKind kind) => new()
    {
        Path = p.Relative, Kind = kind, Status = ItemStatus.Unreadable, Source = p.Relative, Label = p.Place.Label, Split = p.Place.Split,
        SplitOrigin = p.Place.Split == Split.Unassigned ? SplitOrigin.None : SplitOrigin.Folder,
        MTime = p.Info.LastWriteTimeUtc.Ticks, Size = p.Info.Length, Bytes = p.Info.Length,
    };

    /// <summary>Catalog row for a non-video file: an inspected image, or an unreadable entry with its reason.</summary>
    private CatalogItem Describe(Pending p)
    {
        var kind = MediaTypes.IsVideoPath(p.Relative) ? ItemKind.Video
            : MediaTypes.IsImagePath(p.Relative) || SafeSniff(p.Full) ? ItemKind.Image : ItemKind.Other;
        var item = NewItem(p, kind);
        if (!p.Place.IsValid) return item with { Reason = p.Place.Problem };
        if (kind == ItemKind.Other) return item with { Reason = "not an image or video" };
        return InspectImage(p.Full, item);
    }

    /// <summary>Size and mtime of the file itself: for a link the walk followed, those of the file it resolves to.</summary>
    private static FileInfo Facts(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target ? target : info;
    }

    /// <summary>Same size and mtime, same frame settings for a video, and the folder still gives it the same label (or refusal).</summary>
    private bool IsUnchanged(CatalogItem old, FileInfo info, Placement place) =>
        old.Status != ItemStatus.Missing && old.Size == info.Length && old.MTime == info.LastWriteTimeUtc.Ticks
        && (old.Kind != ItemKind.Video || old.Status != ItemStatus.Ok || old.FrameParameters == options.FrameParameters)
        && (place.IsValid ? old.LabelIsManual || old.Label == place.Label : old.Reason == place.Problem);

    private CatalogItem InspectImage(string full, CatalogItem item)
    {
        try
        {
            var facts = ImageInspector.Inspect(full, options.Limits);
            return item with { Status = ItemStatus.Ok, Sha256 = facts.Sha256, Width = facts.Width, Height = facts.Height, Bytes = facts.Bytes };
        }
        catch (ImageDecodeException e) { return item with { Reason = e.Reason }; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return item with { Reason = $"could not read the file ({e.Message})" }; }
        // One odd file must never stop a scan of thousands: anything else unexpected is recorded too.
        catch (Exception e) when (e is not OperationCanceledException) { return item with { Reason = $"could not be decoded ({e.GetType().Name}: {e.Message})" }; }
    }

    private async Task ScanVideoAsync(string full, CatalogItem video, Action onFrame, CancellationToken ct)
    {
        IReadOnlyList<ExtractedFrame> frames;
        string sha;
        try
        {
            if (video.Size == 0) throw new VideoException(video.Path, "empty file");
            sha = ImageInspector.Sha256Of(full);
            frames = await _extractor.ExtractAsync(full, sha, onFrame, ct).ConfigureAwait(false);
        }
        catch (VideoException e)
        {
            catalog.Write(w => { w.DeleteFrames(video.Path); w.Upsert(video with { Reason = e.Reason }); });
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var reason = e is IOException or UnauthorizedAccessException ? $"could not read the file ({e.Message})" : $"could not be decoded ({e.GetType().Name}: {e.Message})";
            catalog.Write(w => { w.DeleteFrames(video.Path); w.Upsert(video with { Reason = reason }); });
            return;
        }

        // Frames replace the video's previous frames; an automatic or manual split given to them earlier is kept.
        var (split, origin) = (video.Split, video.SplitOrigin);
        if (origin != SplitOrigin.Folder && PreviousSplit(video.Path) is { } previous) (split, origin) = previous;
        // Likewise a label a person gave the whole video.
        var manualLabel = catalog.Query("SELECT * FROM items WHERE path=$p AND label_manual=1", ("$p", video.Path)).FirstOrDefault()?.Label;
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
                    Label = manualLabel ?? video.Label, LabelIsManual = manualLabel is not null,
                    Split = split, SplitOrigin = origin, Source = video.Path, SourceTimeMs = ms,
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

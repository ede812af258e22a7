using Lookout.Core.IO;
using Lookout.Core.Studio.Import;
using Lookout.Core.Video;

namespace Lookout.Core.Studio.Walkthroughs;

/// <summary>
/// Walk-through videos of a project (<c>walkthroughs/&lt;sha&gt;.&lt;ext&gt;</c> in the workspace) and their segments in
/// catalog.db. Segments are replaced as a whole in one transaction, so a half-saved marking cannot exist.
/// </summary>
public static class WalkthroughStore
{
    public static async Task<Walkthrough> AddAsync(StudioProject project, Stream content, string? clientName, UploadLimits limits, CancellationToken ct = default)
    {
        using var received = await ReceivedFile.ReceiveAsync(content, project.TempDir, limits.MaxVideoBytes, ct).ConfigureAwait(false);
        var sniffed = MediaSniffer.Sniff(received.Head);
        if (sniffed is not { IsVideo: true }) throw new StudioException("a walk-through must be a video (mp4, mov, webm, mkv, avi)", StudioProblem.Unsupported);
        VideoInfo info;
        try { info = await VideoProbe.ProbeAsync(received.TempPath, ct: ct).ConfigureAwait(false); }
        catch (VideoException e) { throw new StudioException(e.Reason, StudioProblem.Unsupported); }
        if ((long)info.Width * info.Height > limits.MaxPixels) throw new StudioException("video frames are over the pixel limit", StudioProblem.TooLarge);
        var duration = info.Duration ?? await MeasureDurationAsync(received.TempPath, ct).ConfigureAwait(false);
        var file = $"walkthroughs/{received.Sha256}{sniffed.Extension}";
        var name = Path.GetFileName(string.IsNullOrWhiteSpace(clientName) ? "walkthrough" : clientName.Trim());
        return await project.Locked(() =>
        {
            if (Find(project, received.Sha256) is { } existing) return existing;
            var target = Path.Combine(project.Workspace.Root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (!File.Exists(target)) File.Move(received.TempPath, target);
            using var catalog = project.OpenCatalog();
            catalog.Exec("INSERT INTO studio_walkthroughs(sha,file,name,duration_ms,created) VALUES($s,$f,$n,$d,$c)",
                ("$s", received.Sha256), ("$f", file), ("$n", name), ("$d", (long)duration.TotalMilliseconds), ("$c", DateTimeOffset.UtcNow.ToString("O")));
            return Find(project, received.Sha256)!;
        }, ct).ConfigureAwait(false);
    }

    public static IReadOnlyList<Walkthrough> List(StudioProject project)
    {
        using var catalog = project.OpenCatalog();
        var rows = new List<(long Id, string Sha, string File, string Name, long Duration)>();
        using (var cmd = catalog.Connection.Command("SELECT id, sha, file, name, duration_ms FROM studio_walkthroughs ORDER BY id"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) rows.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4)));
        return rows.Select(w => new Walkthrough(w.Id, w.Sha, w.File, w.Name, w.Duration, Segments(catalog, w.Id))).ToList();
    }

    public static Walkthrough Get(StudioProject project, long id) =>
        List(project).FirstOrDefault(w => w.Id == id) ?? throw new StudioException($"no walk-through {id}", StudioProblem.NotFound);

    public static string PathOf(StudioProject project, Walkthrough w) => Path.Combine(project.Workspace.Root, w.File);

    /// <summary>Replaces the segments: sorted, non-overlapping, inside the video, labels that are classes of the project.</summary>
    public static Task<Walkthrough> SaveSegmentsAsync(StudioProject project, long id, IReadOnlyList<TimeSegment> segments, CancellationToken ct = default) =>
        project.Locked(() =>
        {
            var w = Get(project, id);
            var classes = ProjectClasses.List(project).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var sorted = segments.OrderBy(s => s.StartMs).ToList();
            for (int i = 0; i < sorted.Count; i++)
            {
                var s = sorted[i];
                if (s.StartMs < 0 || s.EndMs <= s.StartMs) throw new StudioException("a segment must end after it starts");
                if (w.DurationMs > 0 && s.StartMs >= w.DurationMs + 1000) throw new StudioException("a segment starts after the end of the video");
                if (i > 0 && s.StartMs < sorted[i - 1].EndMs) throw new StudioException("segments overlap");
                if (s.Label is not null && !classes.Contains(s.Label)) throw new StudioException($"no class named '{s.Label}'", StudioProblem.NotFound);
            }
            using var catalog = project.OpenCatalog();
            catalog.Write(_ =>
            {
                catalog.Exec("DELETE FROM studio_segments WHERE walkthrough=$w", ("$w", id));
                foreach (var s in sorted)
                    catalog.Exec("INSERT INTO studio_segments(walkthrough,start_ms,end_ms,label) VALUES($w,$s,$e,$l)", ("$w", id), ("$s", s.StartMs), ("$e", s.EndMs), ("$l", s.Label));
            });
            return Get(project, id);
        }, ct);

    private static Walkthrough? Find(StudioProject project, string sha) => List(project).FirstOrDefault(w => w.Sha256 == sha);

    private static List<TimeSegment> Segments(Datasets.Catalog catalog, long id)
    {
        using var cmd = catalog.Connection.Command("SELECT start_ms, end_ms, label FROM studio_segments WHERE walkthrough=$w ORDER BY start_ms", ("$w", id));
        using var r = cmd.ExecuteReader();
        var list = new List<TimeSegment>();
        while (r.Read()) list.Add(new TimeSegment(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2)));
        return list;
    }

    /// <summary>Browser recordings (WebM from MediaRecorder) carry no duration in their header: count by decoding.</summary>
    private static async Task<TimeSpan> MeasureDurationAsync(string path, CancellationToken ct)
    {
        TimeSpan last = TimeSpan.Zero;
        await using var reader = await FfmpegFrameReader.OpenAsync(path, new FrameReaderOptions { FramesPerSecond = 10, MaxSide = 32 }, ct).ConfigureAwait(false);
        await foreach (var f in reader.ReadFramesAsync(ct).ConfigureAwait(false)) last = f.Time;
        return last + TimeSpan.FromMilliseconds(100);
    }
}

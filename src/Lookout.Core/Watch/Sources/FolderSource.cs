using Lookout.Core.IO;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Lookout.Core.Imaging;
using Lookout.Core.Video;

namespace Lookout.Core.Watch.Sources;

/// <summary>
/// A folder that a camera drops still images into (FTP/SMB snapshot uploads, a phone sync folder). New image files
/// become frames in name order; files still being written are retried on the next poll; hidden files (temp names
/// of atomic writers) are ignored. A folder that disappears (an unmounted share) is reported as disconnected and
/// picked up again when it comes back.
/// </summary>
public sealed class FolderSource(string folder, FolderSourceOptions? options = null) : IFrameSource
{
    private readonly FolderSourceOptions _options = options ?? new FolderSourceOptions();

    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
    /// <summary>Not live: files wait on disk, so a slow model reads them all (lossless) instead of dropping bursts.</summary>
    public bool IsLive => false;

    public async IAsyncEnumerable<Frame> ReadAsync(Action<SourceStatus>? status, [EnumeratorCancellation] CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var retries = new Dictionary<string, int>(StringComparer.Ordinal);
        bool? present = null;
        long seq = 0;
        if (!_options.IncludeExisting && Directory.Exists(folder)) seen.UnionWith(List());
        while (!ct.IsCancellationRequested)
        {
            bool exists = Directory.Exists(folder);
            if (exists != present)
            {
                status?.Invoke(exists ? new SourceStatus(folder, SourceState.Connected)
                    : new SourceStatus(folder, SourceState.Disconnected, "folder not found", _options.PollInterval));
                present = exists;
            }
            var listed = exists ? List() : [];
            // Forget files that are gone, so a new upload under an old name is read again (and memory stays flat).
            if (exists) seen.IntersectWith(listed);
            foreach (var file in listed.Where(f => !seen.Contains(f)))
            {
                var image = TryDecode(file);
                if (image is null)
                {
                    // Probably still being written: give it a few polls before giving up on it.
                    if ((retries[file] = retries.GetValueOrDefault(file) + 1) < _options.MaxRetries) break;
                    status?.Invoke(new SourceStatus(folder, SourceState.Connected, $"skipped unreadable {Path.GetFileName(file)}"));
                }
                seen.Add(file);
                retries.Remove(file);
                if (image is not null) yield return new Frame(seq++, wall.Elapsed, image);
            }
            await Task.Delay(_options.PollInterval, ct).ConfigureAwait(false);
        }
    }

    private List<string> List()
    {
        try
        {
            // The safe walk: a FIFO named like a photo is never opened (that would block the watcher for good).
            return FileWalker.Walk(folder, new WalkOptions { Recursive = false, Include = MediaTypes.IsImagePath })
                .Files.Select(f => f.FullPath).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private RgbImage? TryDecode(string path)
    {
        try { return ImageDecoder.Decode(ImageSource.FromFile(path), ImageTarget.Within(_options.MaxSide)).Pixels; }
        catch (ImageDecodeException) { return null; }
    }
}

/// <summary>How a <see cref="FolderSource"/> polls and decodes.</summary>
public sealed record FolderSourceOptions
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Also emit the images already in the folder at start (default: only new ones).</summary>
    public bool IncludeExisting { get; init; }
    /// <summary>Downscale to at most this on the longer side (shrink-on-load for JPEG).</summary>
    public int MaxSide { get; init; } = 1280;
    /// <summary>Polls an unreadable file is retried (it may still be uploading) before it is skipped.</summary>
    public int MaxRetries { get; init; } = 8;
}

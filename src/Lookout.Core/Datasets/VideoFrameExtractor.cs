using Lookout.Core.IO;
using System.Security.Cryptography;
using Lookout.Core.Video;
using NetVips;

namespace Lookout.Core.Datasets;

/// <summary>A frame kept from a video and written into the workspace.</summary>
public sealed record ExtractedFrame(string File, TimeSpan Time, string Sha256, int Width, int Height, long Bytes);

/// <summary>
/// Turns a video into still frames for a dataset: samples at a rate, drops near-duplicates of the last kept
/// frame (dHash), and writes each kept frame to <c>frames/&lt;video-sha&gt;/&lt;ms&gt;.png</c> (atomic write).
/// </summary>
public sealed class VideoFrameExtractor(Workspace workspace, ScanOptions options)
{
    /// <param name="onFrame">Called after each frame is written (for progress).</param>
    public async Task<IReadOnlyList<ExtractedFrame>> ExtractAsync(string videoPath, string videoSha, Action? onFrame = null, CancellationToken ct = default)
    {
        var relDir = $"frames/{videoSha}";
        var dir = Path.Combine(workspace.Root, "frames", videoSha);
        // Settings may have changed since a previous extraction: start from an empty folder.
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var filter = options.DuplicateThreshold >= 0 ? new NearDuplicateFilter(options.DuplicateThreshold) : null;
        var ext = options.FrameFormat == FrameFormat.Png ? ".png" : ".jpg";
        var frames = new List<ExtractedFrame>();
        var readerOptions = new FrameReaderOptions { FramesPerSecond = options.FramesPerSecond, MaxSide = options.MaxFrameSide, Tools = options.Tools };
        await using var reader = await FfmpegFrameReader.OpenAsync(videoPath, readerOptions, ct).ConfigureAwait(false);
        await foreach (var frame in reader.ReadFramesAsync(ct).ConfigureAwait(false))
        {
            if (filter is not null && !filter.Keep(PerceptualHash.DHash(frame.Pixels))) continue;
            var bytes = Encode(frame, ext);
            long ms = (long)Math.Round(frame.Time.TotalMilliseconds);
            var name = $"{ms}{ext}";
            AtomicFile.WriteAllBytes(Path.Combine(dir, name), bytes);
            frames.Add(new ExtractedFrame($"{relDir}/{name}", frame.Time, Convert.ToHexStringLower(SHA256.HashData(bytes)),
                frame.Pixels.Width, frame.Pixels.Height, bytes.Length));
            onFrame?.Invoke();
        }
        return frames;
    }

    private static byte[] Encode(Frame frame, string ext)
    {
        using var image = Image.NewFromMemory(frame.Pixels.Pixels, frame.Pixels.Width, frame.Pixels.Height, 3, Enums.BandFormat.Uchar);
        return ext == ".png" ? image.PngsaveBuffer(compression: 6) : image.JpegsaveBuffer(q: 92);
    }
}

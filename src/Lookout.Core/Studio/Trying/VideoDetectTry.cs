using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Studio.Import;
using Lookout.Core.Video;

namespace Lookout.Core.Studio.Trying;

/// <summary>One sampled frame of a tried video: where it is, the frame as JPEG, and the detector's boxes in its pixels.</summary>
public sealed record DetectedFrame(long TimeMs, int Width, int Height, byte[] Jpeg, IReadOnlyList<Detection> Detections);

/// <summary>
/// "Try it" with a video in a detection project: the clip (streamed to a temp file, never kept) is sampled at up to
/// <see cref="MaxFrames"/> frames spread evenly over its length, each frame (at most <see cref="FrameSide"/> px) goes
/// through the detector exactly as <c>video</c> and <c>watch</c> feed it, and comes back with its boxes, so the user
/// sees the detector on the footage they care about before serving it.
/// </summary>
public static class VideoDetectTry
{
    public const int MaxFrames = 12;
    public const int FrameSide = 640;
    /// <summary>Sampling rate when the container does not say how long the clip is.</summary>
    private const double UnknownLengthFps = 1;

    public static async Task<IReadOnlyList<DetectedFrame>> RunAsync(StudioProject project, DetectorService detector, Stream content, UploadLimits limits,
        DetectorOptions options, CancellationToken ct = default)
    {
        using var received = await ReceivedFile.ReceiveAsync(content, project.TempDir, limits.MaxVideoBytes, ct).ConfigureAwait(false);
        if (MediaSniffer.Sniff(received.Head) is not { IsVideo: true })
            throw new StudioException("that is not a video Lookout reads (mp4, mov, webm, mkv, avi)", StudioProblem.Unsupported);
        try
        {
            var info = await VideoProbe.ProbeAsync(received.TempPath, ct: ct).ConfigureAwait(false);
            if ((long)info.Width * info.Height > limits.MaxPixels) throw new StudioException("video frames are over the pixel limit", StudioProblem.TooLarge);
            await using var sampled = await FfmpegFrameReader.OpenAsync(received.TempPath, new FrameReaderOptions { MaxSide = FrameSide, FramesPerSecond = Rate(info) }, ct).ConfigureAwait(false);
            var frames = new List<DetectedFrame>(MaxFrames);
            await foreach (var frame in sampled.ReadFramesAsync(ct).ConfigureAwait(false))
            {
                var found = detector.Detect(frame.Pixels, options);
                frames.Add(new DetectedFrame((long)frame.Time.TotalMilliseconds, frame.Pixels.Width, frame.Pixels.Height, ImageEncoding.Jpeg(frame.Pixels, 80), found));
                if (frames.Count == MaxFrames) break;
            }
            if (frames.Count == 0) throw new StudioException("the video has no frames Lookout could read", StudioProblem.Unsupported);
            return frames;
        }
        catch (VideoException e) { throw new StudioException(e.Reason, StudioProblem.Unsupported); }
    }

    /// <summary>Frames per second that spread <see cref="MaxFrames"/> frames over the clip (the first at its start).</summary>
    public static double Rate(VideoInfo info) =>
        info.Duration is { TotalSeconds: > 0 } d ? Math.Min(info.FrameRate ?? 30, MaxFrames / d.TotalSeconds) : UnknownLengthFps;
}

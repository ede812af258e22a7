using Lookout.Core.IO;
using System.Diagnostics;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Video.Drawing;
using Lookout.Core.Video.Timeline;

namespace Lookout.Core.Video;

/// <summary>
/// Offline video analysis (<c>lookout video</c>): decodes a file with ffmpeg, runs the analyzer at the chosen
/// rate, and writes the timeline (JSON/CSV), merged label segments, an annotated video and a contact sheet.
/// Every output is written atomically at the end; a cancelled run leaves no partial file.
/// </summary>
public sealed class VideoService(FfmpegTools? tools = null)
{
    private readonly FfmpegTools _tools = tools ?? FfmpegTools.Default;

    public async Task<VideoReport> RunAsync(string videoPath, IFrameAnalyzer analyzer, VideoOptions options,
        IProgress<VideoProgress>? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        foreach (var output in Outputs(options))
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        bool annotate = options.AnnotatedVideoPath is not null;
        // The annotated video keeps every decoded frame, so decimation to the sample rate happens here instead of in ffmpeg.
        var readerOptions = new FrameReaderOptions
        {
            FramesPerSecond = annotate ? null : options.SampleFps,
            MaxSide = options.MaxSide,
            Tools = _tools,
        };
        await using var reader = await FfmpegFrameReader.OpenAsync(videoPath, readerOptions, ct).ConfigureAwait(false);
        double sourceFps = reader.Info.FrameRate ?? 25.0;
        double decodeFps = readerOptions.FramesPerSecond ?? sourceFps;
        long? expected = reader.Info.Duration is { } d ? Math.Max(1, (long)Math.Round(d.TotalSeconds * decodeFps)) : null;

        var timeline = new List<TimelineEntry>();
        var sheet = options.ContactSheetPath is not null ? new ContactSheet(options.ContactSheetCount) : null;
        FfmpegVideoWriter? writer = null;
        var clock = Stopwatch.StartNew();
        long decoded = 0;
        var sampler = new FrameSampler(annotate ? options.SampleFps : null);
        var last = FrameAnalysis.Empty;
        try
        {
            await foreach (var frame in reader.ReadFramesAsync(ct).ConfigureAwait(false))
            {
                decoded++;
                if (sampler.ShouldAnalyse(frame.Time))
                {
                    last = analyzer.Analyze(frame.Pixels);
                    timeline.Add(new TimelineEntry(frame.Seq, frame.Time, last.Predictions.Take(options.TopK).ToArray(), last.Detections));
                    sheet?.Offer(frame.Pixels, frame.Time, last);
                }
                if (annotate)
                {
                    writer ??= FfmpegVideoWriter.Create(options.AnnotatedVideoPath!, reader.Width, reader.Height, sourceFps, _tools);
                    await writer.WriteAsync(FrameAnnotator.Annotate(frame.Pixels, last, options.TopK), ct).ConfigureAwait(false);
                }
                progress?.Report(Progress(decoded, expected, timeline.Count, clock.Elapsed));
            }
            if (writer is not null) await writer.CompleteAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            if (writer is not null) await writer.DisposeAsync().ConfigureAwait(false);
        }

        var interval = TimeSpan.FromSeconds(1.0 / (options.SampleFps ?? sourceFps));
        var segments = SegmentMerger.Merge(timeline, options.SegmentMinScore, options.SegmentMinDuration, interval);
        var report = new VideoReport(videoPath, analyzer.Name, reader.Info, options.SampleFps, decoded, timeline, segments, clock.Elapsed, Outputs(options));
        WriteOutputs(report, options, sheet);
        return report;
    }

    private static void WriteOutputs(VideoReport report, VideoOptions options, ContactSheet? sheet)
    {
        if (options.TimelineJsonPath is { } json) TimelineWriter.WriteAtomic(json, TimelineWriter.ToJson(report));
        if (options.TimelineCsvPath is { } csv) TimelineWriter.WriteAtomic(csv, TimelineWriter.ToCsv(report.Timeline, options.TopK));
        if (options.ContactSheetPath is { } png && sheet?.ToPng(options.ContactSheetColumns) is { } bytes) AtomicFile.WriteAllBytes(png, bytes);
    }

    private static string[] Outputs(VideoOptions o) =>
        new[] { o.TimelineJsonPath, o.TimelineCsvPath, o.AnnotatedVideoPath, o.ContactSheetPath }.OfType<string>().ToArray();

    private static VideoProgress Progress(long done, long? total, int analysed, TimeSpan elapsed)
    {
        TimeSpan? eta = total is { } t && done > 0 && t > done ? elapsed * ((double)(t - done) / done) : total is not null ? TimeSpan.Zero : null;
        return new VideoProgress(done, total is { } tt ? Math.Max(tt, done) : null, analysed, elapsed, eta);
    }
}

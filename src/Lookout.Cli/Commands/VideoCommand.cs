using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Video;
using Lookout.Core.Video.Timeline;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout video &lt;model&gt; &lt;file&gt;</c>: classify a video at a chosen rate and write a timeline (JSON, CSV),
/// merged label segments, an annotated MP4 and a contact sheet beside it (or in --out).
/// </summary>
public static class VideoCommand
{
    public static Command Create()
    {
        var d = new VideoOptions();
        var modelArg = new Argument<string>("model") { Description = "Exported classifier (.onnx) or run id/folder, or a COCO detector name (nanodet, centernet)." };
        var fileArg = new Argument<string>("file") { Description = "Video file (anything ffmpeg reads)." };
        var fps = new Option<double?>("--fps") { Description = $"Frames analysed per second (default {d.SampleFps}); --every-frame for all." };
        var every = new Option<bool>("--every-frame") { Description = "Analyse every frame." };
        var top = new Option<int>("--top", "-k") { Description = "Classes kept per frame in the timeline.", DefaultValueFactory = _ => d.TopK };
        var outDir = new Option<string?>("--out") { Description = "Folder for the outputs (default: beside the video)." };
        var noVideo = new Option<bool>("--no-annotated") { Description = "Skip the annotated MP4 (faster)." };
        var command = new Command("video", "Classify through a video: timeline, segments, annotated MP4, contact sheet.")
            { modelArg, fileArg, fps, every, top, outDir, noVideo };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var file = Path.GetFullPath(parse.GetValue(fileArg)!);
            if (!File.Exists(file)) throw new FileNotFoundException($"video not found: {file}", file);
            var dir = Path.GetFullPath(parse.GetValue(outDir) ?? Path.GetDirectoryName(file)!);
            var stem = Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".lookout");
            var options = d with
            {
                SampleFps = parse.GetValue(every) ? null : parse.GetValue(fps) ?? d.SampleFps,
                TopK = parse.GetValue(top),
                TimelineJsonPath = stem + ".json",
                TimelineCsvPath = stem + ".csv",
                AnnotatedVideoPath = parse.GetValue(noVideo) ? null : stem + ".mp4",
                ContactSheetPath = stem + ".png",
            };
            var name = parse.GetValue(modelArg)!;
            bool isDetector = Lookout.Core.Inference.Detectors.DetectorModel.Names.Contains(name.ToLowerInvariant());
            if (!isDetector && Locations.Model(parse, name) is var resolved && Lookout.Core.Inference.Detectors.DetectorModel.TrainedPath(resolved) is not null)
                (isDetector, name) = (true, resolved); // a detector trained with 'train --task detect'
            using var analyzer = FrameAnalyzers.Create(parse, isDetector ? null : name, isDetector ? name : null, 0.4f);
            var report = await ProgressSink.RunAsync(output, sink => new VideoService().RunAsync(file, analyzer, options,
                new Progress<VideoProgress>(p => sink.Report("frames", p.Done, p.Total ?? p.Done, "frames")), ct));
            if (output.Json) Console.Out.WriteLine(TimelineWriter.ToJson(report));
            else
            {
                output.Line($"{report.Timeline.Count} frames analysed; {report.Segments.Count} segments:");
                foreach (var s in report.Segments.Take(30))
                    output.Line($"  {s.Start:hh\\:mm\\:ss\\.f}-{s.End:hh\\:mm\\:ss\\.f}  [bold]{Markup.Escape(s.Label)}[/] (mean {s.MeanScore:0.00})");
                foreach (var o in report.Outputs) output.Line($"written: {Markup.Escape(o)}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

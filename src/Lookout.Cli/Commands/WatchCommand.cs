using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Motion;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Watch.Sources;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout watch &lt;source&gt; --model m --rules rules.yaml</c>: a camera (file, rtsp://, http MJPEG, /dev/videoN,
/// or a folder of snapshots) through motion gate, model, temporal consensus and rules to alerts.
/// </summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var sourceArg = new Argument<string>("source") { Description = "Video file, rtsp:// or http(s):// stream, /dev/videoN, or a folder receiving snapshots." };
        var model = new Option<string?>("--model", "-m") { Description = "Exported classifier (.onnx) or run id." };
        var detector = new Option<string?>("--detector", "-d") { Description = "COCO detector for rules with source: detector (nanodet, or centernet)." };
        var faces = new Option<bool>("--faces") { Description = "Recognise faces enrolled with 'lookout faces enroll' (rules with source: face_unknown)." };
        var minScore = new Option<float>("--detector-min-score") { Description = "Detections below this score are ignored.", DefaultValueFactory = _ => 0.4f };
        var rules = new Option<string>("--rules", "-r") { Description = "Rules YAML (see examples/watch-rules.yaml).", Required = true };
        var fps = new Option<double?>("--fps") { Description = "Frames per second taken from the source (default: the source's rate)." };
        var camera = new Option<string?>("--camera") { Description = "Camera name in events (default: the source)." };
        var noMotion = new Option<bool>("--no-motion-gate") { Description = "Run the model on every frame, even on a still scene." };
        var realtime = new Option<bool>("--realtime") { Description = "Pace a video file at its own frame rate, like a live camera." };
        var command = new Command("watch", "Watch a camera and raise alerts (snapshot, webhook, MQTT) when rules match.")
            { sourceArg, model, detector, faces, minScore, rules, fps, camera, noMotion, realtime };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var ruleSet = RulesLoader.Load(parse.GetValue(rules)!);
            var workspace = parse.GetValue(GlobalOptions.Workspace) ?? Path.Combine(Environment.CurrentDirectory, ".lookout");
            using var analyzer = FrameAnalyzers.Create(parse, parse.GetValue(model), parse.GetValue(detector), parse.GetValue(minScore),
                parse.GetValue(faces) ? new Lookout.Core.Workspace(workspace).EnsureCreated().CatalogPath : null);
            var source = FrameSources.Create(parse.GetValue(sourceArg)!, new SourceOptions { Fps = parse.GetValue(fps), RealTime = parse.GetValue(realtime) });
            var options = new WatchOptions
            {
                Workspace = workspace,
                Camera = parse.GetValue(camera),
                Motion = parse.GetValue(noMotion) ? null : new MotionOptions(),
            };
            output.Note($"watching {source.Name}; events in {workspace} (Ctrl+C to stop)");
            var stats = await new WatchService().RunAsync(source, analyzer, ruleSet, options, new TextWatchObserver(Console.Error), ct);
            if (output.Json) output.WriteJson(stats);
            else output.Line(Spectre.Console.Markup.Escape($"done: {stats}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Motion;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Watch.Sources;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout watch &lt;source&gt;... --model m --rules rules.yaml</c>: one or more cameras (file, rtsp://, http MJPEG,
/// /dev/videoN, or a folder of snapshots; <c>name=source</c> names one) through motion gate, model, temporal
/// consensus and rules to alerts. Several cameras share one model in one process (their frames batched together).
/// </summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var sourceArg = new Argument<string[]>("sources")
        {
            Description = "Video file, rtsp:// or http(s):// stream, /dev/videoN, or a folder receiving snapshots; several for several cameras, each optionally named as name=source.",
            Arity = ArgumentArity.OneOrMore,
        };
        var model = new Option<string?>("--model", "-m") { Description = "Exported classifier (.onnx) or run id." };
        var detector = new Option<string?>("--detector", "-d") { Description = "Detector for rules with source: detector (nanodet, centernet, or your own run/.onnx from 'train --task detect')." };
        var faces = new Option<bool>("--faces") { Description = "Recognise faces enrolled with 'lookout faces enroll' (rules with source: face_unknown)." };
        var minScore = new Option<float>("--detector-min-score") { Description = "Detections below this score are ignored.", DefaultValueFactory = _ => 0.4f };
        var rules = new Option<string>("--rules", "-r") { Description = "Rules YAML (see examples/watch-rules.yaml).", Required = true };
        var fps = new Option<double?>("--fps") { Description = "Frames per second taken from the source (default: the source's rate)." };
        var camera = new Option<string?>("--camera") { Description = "Camera name in events when watching one source (default: the source, or the name in name=source)." };
        var noMotion = new Option<bool>("--no-motion-gate") { Description = "Run the model on every frame, even on a still scene." };
        var realtime = new Option<bool>("--realtime") { Description = "Pace a video file at its own frame rate, like a live camera." };
        var passBudget = new Option<int>("--pass-budget-ms")
        {
            Description = "Several cameras share forward passes; a pass takes only the frames that fit in this many ms at the measured cost per frame, " +
                "so frame latency stays near twice it. Larger shares more (less CPU per frame, more frames per camera when the box is full) at more latency; 0 = up to 8 frames a pass.",
            DefaultValueFactory = _ => 100,
        };
        var command = new Command("watch", "Watch a camera and raise alerts (snapshot, webhook, MQTT) when rules match.")
            { sourceArg, model, detector, faces, minScore, rules, fps, camera, noMotion, realtime, passBudget };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var ruleSet = RulesLoader.Load(parse.GetValue(rules)!);
            var workspace = parse.GetValue(GlobalOptions.Workspace) ?? Path.Combine(Environment.CurrentDirectory, ".lookout");
            var specs = parse.GetValue(sourceArg)!;
            // Several cameras: the watcher runs one shared pass per core, so each pass gets one ONNX Runtime thread
            // (two passes with two threads each would fight over the cores; measured: one thread per pass costs less CPU
            // per frame). One camera: one pass at a time, which may use every core.
            var detectorRunner = specs.Length > 1 ? new Lookout.Core.Models.OnnxRunnerOptions { IntraOpThreads = 1 } : null;
            using var analyzer = FrameAnalyzers.Create(parse, parse.GetValue(model), parse.GetValue(detector), parse.GetValue(minScore),
                parse.GetValue(faces) ? new Lookout.Core.Workspace(workspace).EnsureCreated().CatalogPath : null, detectorRunner);
            var sourceOptions = new SourceOptions { Fps = parse.GetValue(fps), RealTime = parse.GetValue(realtime) };
            if (specs.Length > 1 && parse.GetValue(camera) is not null)
                throw new Lookout.Core.LookoutException("--camera names a single source; name several as name=source");
            var cameras = specs.Select(spec =>
            {
                var (name, location) = CameraSpec.Parse(spec);
                var source = FrameSources.Create(location, sourceOptions);
                return new WatchCamera(name ?? (specs.Length == 1 ? parse.GetValue(camera) : null) ?? source.Name, source);
            }).ToList();
            var options = new WatchOptions
            {
                Workspace = workspace,
                Motion = parse.GetValue(noMotion) ? null : new MotionOptions(),
                PassBudget = parse.GetValue(passBudget) switch
                {
                    0 => null,
                    < 0 and var ms => throw new Lookout.Core.LookoutException($"--pass-budget-ms must be 0 (off) or positive (got {ms})"),
                    var ms => TimeSpan.FromMilliseconds(ms),
                },
            };
            output.Note($"watching {string.Join(", ", cameras.Select(c => c.Name))}; events in {workspace} (Ctrl+C to stop)");
            var stats = await new WatchService().RunAsync(cameras, analyzer, ruleSet, options, new TextWatchObserver(Console.Error), ct);
            if (output.Json) output.WriteJson(stats.Count == 1 ? stats[0] : (object)stats);
            else foreach (var s in stats) output.Line(Spectre.Console.Markup.Escape(stats.Count == 1 ? $"done: {s}" : $"done ({s.Camera}): {s}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary>A camera argument: <c>name=source</c> or just the source (a URL's own '=' signs are never a name).</summary>
public static class CameraSpec
{
    public static (string? Name, string Source) Parse(string spec)
    {
        int eq = spec.IndexOf('=');
        if (eq <= 0) return (null, spec);
        var name = spec[..eq];
        return name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && !File.Exists(spec) && !Directory.Exists(spec)
            ? (name, spec[(eq + 1)..])
            : (null, spec);
    }
}

using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Motion;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Watch.Sources;
using Lookout.Core.Watch.Alerts;
using Lookout.Scale.Cameras;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout watch &lt;source&gt;... --model m --rules rules.yaml</c>: one or more cameras (file, rtsp://, http MJPEG,
/// /dev/videoN, or a folder of snapshots; <c>name=source</c> names one) through motion gate, model, temporal
/// consensus and rules to alerts. Several cameras share one model in one process (their frames batched together).
/// With <c>--db</c>, several watchers (on one or more hosts) share one camera list: each camera is run by one
/// watcher at a time through a lease in PostgreSQL, and events go to one shared table (docs/scale-out.md).
/// </summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var sourceArg = new Argument<string[]>("sources")
        {
            Description = "Video file, rtsp:// or http(s):// stream, /dev/videoN, or a folder receiving snapshots; several for several cameras, each optionally named as name=source.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var cameraList = new Option<string?>("--cameras") { Description = "A file listing cameras, one name=source per line ('#' starts a comment); relative paths are relative to the file." };
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
        var loop = new Option<bool>("--loop") { Description = "Start a video file again at its end (a test camera that never stops)." };
        var db = new Option<string?>("--db") { Description = "Share the camera list with other watchers through this PostgreSQL database (leases, one events table). Without it the watcher runs every camera alone, with events in the workspace." };
        var leaseTtl = new Option<string>("--lease-ttl") { Description = "With --db: how long a camera's lease lasts unrenewed; a dead watcher's cameras move after about this long.", DefaultValueFactory = _ => "10s" };
        var name = new Option<string?>("--name") { Description = "With --db: this watcher's name in leases and events, unique among running watchers (default host:pid)." };
        var command = new Command("watch", "Watch a camera and raise alerts (snapshot, webhook, MQTT) when rules match.")
            { sourceArg, cameraList, model, detector, faces, minScore, rules, fps, camera, noMotion, realtime, passBudget, loop, db, leaseTtl, name };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var ruleSet = RulesLoader.Load(parse.GetValue(rules)!);
            var workspace = parse.GetValue(GlobalOptions.Workspace) ?? Path.Combine(Environment.CurrentDirectory, ".lookout");
            // The camera list and lease settings are checked before the model loads: a typo fails at once.
            var specs = parse.GetValue(sourceArg) ?? [];
            if (parse.GetValue(cameraList) is { } listFile) specs = [.. specs, .. CameraSpec.ReadList(listFile)];
            if (specs.Length == 0) throw new Lookout.Core.LookoutException("no camera: give sources (name=source) or --cameras cameras.txt");
            var connection = parse.GetValue(db) is { Length: > 0 } c ? c : null;
            var leaseOptions = new LeaseOptions { Ttl = Durations.Parse(parse.GetValue(leaseTtl)!, "--lease-ttl") };
            if (parse.GetValue(name) is { } n) leaseOptions = leaseOptions with { Owner = n };
            if (connection is not null) leaseOptions.Validate();
            // Several cameras: the watcher runs one shared pass per core, so each pass gets one ONNX Runtime thread
            // (two passes with two threads each would fight over the cores; measured: one thread per pass costs less CPU
            // per frame). One camera: one pass at a time, which may use every core.
            var detectorRunner = specs.Length > 1 ? new Lookout.Core.Models.OnnxRunnerOptions { IntraOpThreads = 1 } : null;
            using var analyzer = FrameAnalyzers.Create(parse, parse.GetValue(model), parse.GetValue(detector), parse.GetValue(minScore),
                parse.GetValue(faces) ? new Lookout.Core.Workspace(workspace).EnsureCreated().CatalogPath : null, detectorRunner);
            var sourceOptions = new SourceOptions { Fps = parse.GetValue(fps), RealTime = parse.GetValue(realtime), Loop = parse.GetValue(loop) };
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
            var observer = new TextWatchObserver(Console.Error, milliseconds: connection is not null);
            IReadOnlyList<WatchStats> stats;
            if (connection is not null)
            {
                await using var database = CameraSchema.Open(connection);
                await CameraSchema.EnsureAsync(database, ct);
                var leases = new PostgresCameraLeases(new CameraLeaseStore(database), leaseOptions, observer.OnLeaseNote);
                var recorder = new SharedAlertRecorder(new SharedEventLog(database), AlertDispatcher.Snapshots(ruleSet, workspace), leaseOptions.Owner, observer.OnLeaseNote);
                output.Note($"watcher {leaseOptions.Owner} sharing {string.Join(", ", cameras.Select(c => c.Name))} (lease {leaseOptions.Ttl.TotalSeconds:0.#} s); events in the database (Ctrl+C to stop)");
                stats = await new WatchService().RunSharedAsync(cameras, analyzer, ruleSet, options, leases, recorder, observer, ct);
            }
            else
            {
                output.Note($"watching {string.Join(", ", cameras.Select(c => c.Name))}; events in {workspace} (Ctrl+C to stop)");
                stats = await new WatchService().RunAsync(cameras, analyzer, ruleSet, options, observer, ct);
            }
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

    /// <summary>
    /// A camera list file: one <c>name=source</c> (or bare source) per line; blank lines and '#' comments are skipped.
    /// A relative file or folder source is taken relative to the list file, so the list works from any folder.
    /// </summary>
    public static string[] ReadList(string path)
    {
        if (!File.Exists(path)) throw new Lookout.Core.LookoutException($"{path}: camera list not found");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var specs = new List<string>();
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int eq = line.IndexOf('=');
            var key = eq > 0 ? line[..eq].Trim() : "";
            var (name, source) = key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? (key, line[(eq + 1)..].Trim()) : ((string?)null, line);
            if (!source.Contains("://", StringComparison.Ordinal) && !source.StartsWith("/dev/", StringComparison.Ordinal) && !Path.IsPathRooted(source))
                source = Path.Combine(dir, source);
            specs.Add(name is null ? source : $"{name}={source}");
        }
        return [.. specs];
    }
}

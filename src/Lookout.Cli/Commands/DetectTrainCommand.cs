using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Pipelines.Detect;
using Lookout.Core.Runs;
using Lookout.Core.Training.Detection;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout train &lt;dir&gt; --task detect</c>: binds the detector options and runs <see cref="DetectTrainPipeline"/>.</summary>
public static class DetectTrainCommand
{
    private static readonly DetectorTrainOptions D = new();

    public static readonly Option<string> Task = new("--task")
    {
        Description = "classify (one label per image) or detect (boxes: YOLO, COCO or VOC annotations). Default: detect when the folder holds box annotations.",
        DefaultValueFactory = _ => "auto",
    };
    public static readonly Option<string?> Format = new("--format") { Description = "Box format for --task detect: yolo, coco or voc (default: detected)." };
    public static readonly Option<int> InputSize = new("--input-size") { Description = "Detector input side in pixels (multiple of 32).", DefaultValueFactory = _ => D.InputSize };
    public static readonly Option<int> Batch = new("--batch") { Description = "Detector training batch size.", DefaultValueFactory = _ => D.BatchSize };
    public static readonly Option<string[]> StartFrom = new("--start-from")
    {
        Description = "CLASS=COCO_CLASS: start one of your classes from a COCO class it resembles (e.g. visitor=person, mila=dog); " +
                      "classes named like a COCO class (person, chairs, potted_plant) do so by themselves. Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static void AddTo(Command command)
    {
        Task.AcceptOnlyFromAmong("auto", "classify", "detect");
        Format.AcceptOnlyFromAmong("yolo", "coco", "voc");
        command.Options.Add(Task);
        command.Options.Add(Format);
        command.Options.Add(InputSize);
        command.Options.Add(Batch);
        command.Options.Add(StartFrom);
    }

    public static bool Wanted(ParseResult parse, string? dataDir) => parse.GetValue(Task) switch
    {
        "detect" => true,
        "classify" => false,
        _ => dataDir is not null && Directory.Exists(dataDir) && BoxDatasetImporter.HasBoxes(dataDir),
    };

    public static bool IsDetectRun(RunFolder run) => DetectTrainPipeline.ReadPlan(run) is not null;

    public static async Task<int> RunAsync(ParseResult parse, CliOutput output, string dir, int? epochs, double? lr, int seed, CancellationToken ct)
    {
        var options = D with
        {
            Epochs = epochs ?? D.Epochs, LearningRate = lr ?? D.LearningRate, Seed = seed,
            InputSize = parse.GetValue(InputSize), BatchSize = parse.GetValue(Batch),
            StartFrom = ParseStartFrom(parse.GetValue(StartFrom) ?? []),
        };
        var request = new DetectTrainRequest
        {
            DataDir = dir, Workspace = Locations.ForData(parse, dir), Options = options,
            Format = parse.GetValue(Format) is { } f ? BoxDatasetImporter.ParseFormat(f) : null,
        };
        var result = await ProgressSink.RunAsync(output, sink => DetectTrainPipeline.RunAsync(request, new CliPipelineObserver(output, sink), ct));
        return Report(output, result);
    }

    /// <summary>"visitor=person" pairs; a COCO name that is not one is a usage error that lists the close ones.</summary>
    private static Dictionary<string, string>? ParseStartFrom(string[] pairs)
    {
        if (pairs.Length == 0) return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new ArgumentException($"--start-from takes CLASS=COCO_CLASS (e.g. visitor=person), not '{pair}'");
            if (Lookout.Core.Inference.Detectors.CocoLabels.Matching(parts[1]) is null)
                Lookout.Core.Inference.Detectors.CocoLabels.Resolve([parts[1]]); // throws "unknown class … did you mean …"
            map[parts[0]] = parts[1];
        }
        return map;
    }

    public static async Task<int> ResumeAsync(CliOutput output, RunFolder run, CancellationToken ct)
    {
        var result = await ProgressSink.RunAsync(output, sink => DetectTrainPipeline.ResumeAsync(run, new CliPipelineObserver(output, sink), ct));
        return Report(output, result);
    }

    private static int Report(CliOutput output, DetectTrainResult r)
    {
        if (output.Json)
            output.WriteJson(new
            {
                run = r.Run.Id, runDir = r.Run.Dir, model = r.Run.ModelPath, task = "detect", labels = r.Data.Classes,
                images = new { train = r.TrainImages, val = r.ValImages, test = r.TestImages },
                bestEpoch = r.Training.BestEpoch + 1, epochs = r.Training.History.Count, trainSeconds = r.TrainTime.TotalSeconds,
                annotationErrors = r.Data.Errors.Select(e => new { file = e.File, reason = e.Reason }),
                warnings = r.Warnings,
                test = r.Test is { } t ? new
                {
                    map50 = t.Map.Map50, map50To95 = t.Map.Map50To95,
                    classes = t.Map.Classes.Select(c => new { label = c.Label, boxes = c.TruthBoxes, ap50 = c.Ap50, ap50To95 = c.Ap50To95 }),
                } : null,
                baseline = r.Baseline is { } b ? new { map50 = b.Map50, map50To95 = b.Map50To95 } : null,
            });
        else
        {
            output.Line($"[green]run {r.Run.Id}[/]: detector for {Markup.Escape(string.Join(", ", r.Data.Classes))}; best epoch {r.Training.BestEpoch + 1} of {r.Training.History.Count}; model [bold]{Markup.Escape(r.Run.ModelPath)}[/]");
            if (r.Test is { } t)
            {
                output.Line($"test mAP@0.5 [bold]{t.Map.Map50:0.000}[/], mAP@0.5:0.95 [bold]{t.Map.Map50To95:0.000}[/] on {r.TestImages} images" +
                    (r.Baseline is { } b ? $" (untrained head: {b.Map50:0.000} / {b.Map50To95:0.000})" : ""));
                foreach (var c in t.Map.Classes) output.Line($"  {Markup.Escape(c.Label)}: AP50 {c.Ap50:0.000}, AP50-95 {c.Ap50To95:0.000} ({c.TruthBoxes} boxes)");
            }
            else output.Warn("no test split: nothing evaluated");
        }
        return ExitCodes.Ok;
    }
}

using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Detectors;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout detect &lt;image|dir|glob&gt;... [--model nanodet|centernet] [--classes person,cat] [--min-score 0.4]
/// [--annotate out.jpg | --annotate-dir dir]</c>: COCO-80 objects with boxes in original-image pixels.
/// </summary>
public static class DetectCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Images, folders (recursive) or globs like photos/*.jpg.", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model", "-m")
        {
            Description = "Detector: nanodet (default, Apache-2.0), centernet (no upstream licence), or your own: a run (id or folder) or .onnx made by 'train --task detect'.",
            DefaultValueFactory = _ => DetectorModel.DefaultName,
        };
        var classes = new Option<string?>("--classes", "-c") { Description = "Only these classes, comma-separated (e.g. person,cat,dog; a trained detector's own class names)." };
        var minScore = new Option<float>("--min-score", "-s")
        {
            Description = "Lowest score to report (0..1). Default 0.4, like CodeProject.AI.",
            DefaultValueFactory = _ => DetectorOptions.DefaultMinScore,
        };
        var iou = new Option<float>("--iou") { Description = "NMS overlap limit (0..1].", DefaultValueFactory = _ => DetectorOptions.DefaultNmsIoU };
        var agnostic = new Option<bool>("--class-agnostic") { Description = "Let boxes of different classes suppress each other (upstream CenterNet's NMS)." };
        var annotate = new Option<string?>("--annotate") { Description = "Write the (single) input with boxes drawn to this .jpg/.png/.webp file." };
        var annotateDir = new Option<string?>("--annotate-dir") { Description = "Write every input with boxes drawn into this folder (as .jpg)." };
        var command = new Command("detect", "Find objects (80 COCO classes: person, cat, dog, car...) and their boxes.")
            { inputs, model, classes, minScore, iou, agnostic, annotate, annotateDir };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var input = InputFiles.Expand(parse.GetValue(inputs)!);
            if (input.IsEmpty) throw new LookoutException("no image files matched");
            var paths = input.Files;
            var annotateFile = parse.GetValue(annotate);
            var annotateFolder = parse.GetValue(annotateDir);
            if (annotateFile is not null && annotateFolder is not null) throw new LookoutException("use either --annotate or --annotate-dir, not both");
            if (annotateFile is not null && paths.Count != 1) throw new LookoutException($"--annotate takes one input image ({paths.Count} given); use --annotate-dir for several");
            using var detector = DetectorService.Open(ResolveModel(parse, parse.GetValue(model)!));
            var options = new DetectorOptions
            {
                MinScore = parse.GetValue(minScore),
                NmsIoU = parse.GetValue(iou),
                ClassAgnosticNms = parse.GetValue(agnostic),
                Classes = parse.GetValue(classes) is { } list ? detector.ResolveClasses(list.Split(',')) : null,
            };
            options.Validate();

            if (!detector.Licence.Clean) output.Warn($"{detector.Name}: licence {detector.Licence.Name}. {detector.Licence.Text}");
            var results = new List<DetectionResult>(paths.Count);
            await ProgressSink.RunAsync(output, async sink =>
            {
                await foreach (var r in detector.DetectFilesAsync(paths, options, ct: ct))
                {
                    results.Add(r);
                    if (paths.Count > 1) sink.Report("detected", results.Count, paths.Count, "img");
                }
                return 0;
            });
            results.AddRange(input.Skipped.Select(s => new DetectionResult(s.Path, 0, 0, [], s.Reason)));
            var written = WriteAnnotations(results, annotateFile, annotateFolder);

            if (output.Json)
                output.WriteJson(new
                {
                    model = detector.Name,
                    licence = detector.Licence.Name,
                    licenceClean = detector.Licence.Clean,
                    minScore = options.MinScore,
                    results = results.Select(r => new
                    {
                        file = r.Source,
                        width = r.Ok ? r.Width : (int?)null,
                        height = r.Ok ? r.Height : (int?)null,
                        detections = r.Detections.Select(d => new
                        {
                            label = d.Label, score = d.Score,
                            box = new { x1 = d.Box.X1, y1 = d.Box.Y1, x2 = d.Box.X2, y2 = d.Box.Y2 },
                        }),
                        annotated = written.GetValueOrDefault(r.Source),
                        error = r.Error,
                    }),
                });
            else
            {
                output.Line($"[grey]model {Markup.Escape(detector.Name)} (licence {Markup.Escape(detector.Licence.Name)}), min score {options.MinScore:0.##}[/]");
                foreach (var r in results)
                {
                    if (!r.Ok) { output.Line($"{Markup.Escape(r.Source)}: [red]{Markup.Escape(r.Error!)}[/]"); continue; }
                    output.Line($"{Markup.Escape(r.Source)} ({r.Width}x{r.Height}): " + (r.Detections.Count == 0 ? "[grey]nothing found[/]" :
                        string.Join(", ", r.Detections.Select(d => $"[bold]{Markup.Escape(d.Label)}[/] {d.Score:0.00} [[{d.Box.X1:0},{d.Box.Y1:0},{d.Box.X2:0},{d.Box.Y2:0}]]"))));
                }
                foreach (var w in written.Values) output.Note($"annotated: {w}");
            }
            return ExitCodes.ForItems(results.Count(r => r.Ok), results.Count(r => !r.Ok));
        });
        return command;
    }

    /// <summary>A catalog detector's name as is; anything else is a trained detector's run (id or folder) or .onnx file.</summary>
    internal static string ResolveModel(ParseResult parse, string arg)
    {
        if (DetectorModel.Names.Contains(arg.ToLowerInvariant())) return arg;
        var path = Locations.Model(parse, arg);
        if (DetectorModel.TrainedPath(path) is null)
            throw new LookoutException($"{arg} is not a detector: choose {string.Join(", ", DetectorModel.Names)}, or a run/.onnx made by 'train --task detect'");
        return path;
    }

    private static Dictionary<string, string> WriteAnnotations(IReadOnlyList<DetectionResult> results, string? file, string? folder)
    {
        var written = new Dictionary<string, string>();
        if (file is null && folder is null) return written;
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in results.Where(r => r.Ok))
        {
            string target;
            if (file is not null) target = Path.GetFullPath(file);
            else
            {
                var stem = Path.GetFileNameWithoutExtension(r.Source);
                target = Path.GetFullPath(Path.Combine(folder!, stem + ".jpg"));
                for (int n = 2; !used.Add(target); n++) target = Path.GetFullPath(Path.Combine(folder!, $"{stem}-{n}.jpg"));
            }
            Annotator.Write(r.Source, r.Detections.Select(d => new Annotation(d.Box, $"{d.Label} {d.Score:0.00}", d.ClassId)), target);
            written[r.Source] = target;
        }
        return written;
    }
}

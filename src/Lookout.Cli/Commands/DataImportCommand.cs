using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Datasets.Boxes;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout data import &lt;dir|coco.json&gt; [--format yolo|coco|voc]</c>: reads box annotations (YOLO, COCO, Pascal
/// VOC; Label Studio and CVAT export those) and reports what a detector run would train on: images, boxes per class,
/// background images, and every annotation that cannot be used with its reason. Exit code 3 when some could not.
/// </summary>
public static class DataImportCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "Folder of a YOLO, COCO or Pascal VOC export (or a COCO .json file)." };
        var format = new Option<string?>("--format", "-f") { Description = "yolo, coco or voc (default: detected from the files)." };
        format.AcceptOnlyFromAmong("yolo", "coco", "voc");
        var command = new Command("import", "Read box annotations (YOLO, COCO, Pascal VOC) and list what is usable and what is not.") { path, format };
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            var f = parse.GetValue(format) is { } name ? BoxDatasetImporter.ParseFormat(name) : (BoxFormat?)null;
            var data = BoxDatasetImporter.Import(parse.GetValue(path)!, f);
            var perClass = data.BoxesPerClass();
            if (output.Json)
                output.WriteJson(new
                {
                    format = data.Format.ToString().ToLowerInvariant(),
                    classes = data.Classes,
                    images = data.Images.Count,
                    backgroundImages = data.BackgroundImages,
                    boxes = data.BoxCount,
                    boxesPerClass = perClass.ToDictionary(c => c.Label, c => c.Boxes),
                    errors = data.Errors.Select(e => new { file = e.File, reason = e.Reason }),
                });
            else
            {
                output.Line($"{data.Format} boxes: {data.Images.Count} images ({data.BackgroundImages} without boxes), {data.BoxCount} boxes");
                foreach (var (label, boxes) in perClass)
                    output.Line($"  {Markup.Escape(label)}: {boxes} boxes" + (boxes < 30 ? " [yellow](too few for a reliable detector: aim for 30+)[/]" : ""));
                foreach (var e in data.Errors.Take(50)) output.Warn($"{e.File}: {e.Reason}");
                if (data.Errors.Count > 50) output.Warn($"... and {data.Errors.Count - 50} more (use --json for all)");
            }
            return Task.FromResult(data.Errors.Count == 0 ? ExitCodes.Ok : ExitCodes.SomeItemsFailed);
        });
        return command;
    }
}

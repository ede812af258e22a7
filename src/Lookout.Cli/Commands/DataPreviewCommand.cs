using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Preview;
using Lookout.Core.Imaging;
using Lookout.Core.IO;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Training.Augmentation;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout data preview &lt;data-dir&gt; [--augment] [--out grid.png]</c>: a PNG of exactly what the model will see.</summary>
public static class DataPreviewCommand
{
    public static Command Create(Argument<string> dataDir)
    {
        var backbone = SharedOptions.Backbone("Backbone whose input size and resize policy are used");
        var augment = new Option<bool>("--augment") { Description = "Also show augmented variants (the fine-tuning pipeline: crop, flip, tilt, colour, blur)." };
        var outPath = new Option<string?>("--out", "-o") { Description = "PNG to write (default: <workspace>/preview.png)." };
        var perLabel = new Option<int>("--per-label") { Description = "Images per label.", DefaultValueFactory = _ => 6 };
        var variants = new Option<int>("--variants") { Description = "Augmented variants per image (with --augment).", DefaultValueFactory = _ => 3 };
        var command = new Command("preview", "Write a PNG grid of model-input-size images per label (what the model sees), optionally with augmentations.")
            { dataDir, backbone, augment, outPath, perLabel, variants, DataCommands.Fps };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var dir = parse.GetValue(dataDir)!;
            var workspace = Locations.ForData(parse, dir);
            var service = new DatasetService(workspace);
            DataCommands.WarnProblems(output, await DataCommands.ScanAsync(service, dir, parse.GetValue(DataCommands.Fps), output, ct));
            var items = DataCommands.UsableItems(service, dir);
            var spec = BackboneResolver.Resolve(parse.GetValue(backbone)).Spec;
            var aug = parse.GetValue(augment) ? AugmentationPipeline.Standard(spec.Width, spec.Height) : null;
            var result = PreviewGrid.Build(items, spec, aug, new PreviewOptions { PerLabel = parse.GetValue(perLabel), Variants = parse.GetValue(variants) });
            var path = parse.GetValue(outPath) ?? Path.Combine(workspace.EnsureCreated().Root, "preview.png");
            AtomicFile.WriteAllBytes(path, ImageEncoding.Png(result.Grid));
            foreach (var s in result.Skipped.Take(10)) output.Warn($"skipped {s}");
            if (output.Json)
                output.WriteJson(new { file = path, rows = result.Rows, columns = result.Columns, cellWidth = result.CellWidth, cellHeight = result.CellHeight, augmented = aug is not null });
            else
                output.Line($"written: [bold]{Markup.Escape(path)}[/] ({result.Rows.Count} labels x {result.Columns} cells of {result.CellWidth}x{result.CellHeight}" +
                            $"{(aug is null ? "" : ", with augmented variants")}; rows: {Markup.Escape(string.Join(", ", result.Rows))})");
            return ExitCodes.Ok;
        });
        return command;
    }
}

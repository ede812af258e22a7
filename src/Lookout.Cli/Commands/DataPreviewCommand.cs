using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Preview;
using Lookout.Core.Pipelines.Preview;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout data preview &lt;data-dir&gt; [--augment] [--out grid.png]</c>: a PNG of exactly what the model will see (<see cref="DataPreviewPipeline"/>).</summary>
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
            var request = new DataPreviewRequest
            {
                DataDir = dir, Workspace = Locations.ForData(parse, dir), Backbone = parse.GetValue(backbone)!, Augment = parse.GetValue(augment),
                Options = new PreviewOptions { PerLabel = parse.GetValue(perLabel), Variants = parse.GetValue(variants) }, OutPath = parse.GetValue(outPath),
                Scan = new ScanOptions { FramesPerSecond = parse.GetValue(DataCommands.Fps) },
            };
            var outcome = await ProgressSink.RunAsync(output, sink => DataPreviewPipeline.RunAsync(request, new CliPipelineObserver(output, sink), ct));
            var grid = outcome.Grid;
            if (output.Json)
                output.WriteJson(new { file = outcome.Path, rows = grid.Rows, columns = grid.Columns, cellWidth = grid.CellWidth, cellHeight = grid.CellHeight, augmented = outcome.Augmented });
            else
                output.Line($"written: [bold]{Markup.Escape(outcome.Path)}[/] ({grid.Rows.Count} labels x {grid.Columns} cells of {grid.CellWidth}x{grid.CellHeight}" +
                            $"{(outcome.Augmented ? ", with augmented variants" : "")}; rows: {Markup.Escape(string.Join(", ", grid.Rows))})");
            return ExitCodes.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Evaluation;
using Lookout.Core.Inference;
using Lookout.Core.IO;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Runs;
using Lookout.Core.Training;
using Spectre.Console;
using Lookout.Core;
using Lookout.Core.Pipelines.Train;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout demo</c>: builds a labelled folder from Debian's Fashion-MNIST (PNG folders plus one short video per
/// class, so the video path runs too), trains with the pretrained default backbone and, for comparison, the small
/// generated one, evaluates both on the same held-out test split and classifies a few held-out images.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Where the demo data and workspace go.", DefaultValueFactory = _ => "demo" };
        var perClass = new Option<int>("--per-class") { Description = "Images per class.", DefaultValueFactory = _ => 200 };
        var backbone = new Option<string>("--backbone", "-b") { Description = "Backbone for the main model.", DefaultValueFactory = _ => BackboneResolver.DefaultName };
        var noCompare = new Option<bool>("--no-compare") { Description = "Skip the comparison run with the generated backbone." };
        var command = new Command("demo", "Build a Fashion-MNIST demo dataset, then train, evaluate and classify it end to end.") { outDir, perClass, backbone, noCompare };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var root = Path.GetFullPath(parse.GetValue(outDir)!);
            var dataDir = Path.Combine(root, "fashion-mnist");
            var workspace = new Workspace(parse.GetValue(GlobalOptions.Workspace) ?? Path.Combine(root, Workspace.DefaultFolderName));
            await EnsureDataAsync(dataDir, parse.GetValue(perClass), output, ct);

            var request = new TrainRequest { DataDir = dataDir, Workspace = workspace, Backbone = parse.GetValue(backbone)!, Head = TrainOptions.Default };
            var main = (await TrainCommand.RunAsync(request, output, ct, "pretrained")).Run;
            TrainResult? baseline = parse.GetValue(noCompare) ? null
                : (await TrainCommand.RunAsync(request with { Backbone = BackboneResolver.Generated }, output, ct, "generated")).Run;

            var samples = await ClassifySamplesAsync(main.ModelPath, new DatasetService(workspace).Snapshot(), ct);
            var stranger = ClassifyStranger(main.ModelPath, root);
            if (output.Json)
                output.WriteJson(new { data = dataDir, workspace = workspace.Root, main = TrainCommand.Summary(main),
                    baseline = baseline is null ? null : TrainCommand.Summary(baseline), samples,
                    stranger = new { file = stranger.Source, label = stranger.Label, unknown = stranger.Unknown, reason = stranger.Rejection?.Reason } });
            else
            {
                Print(output, main, baseline, samples, dataDir);
                output.Line($"a generated circle, which is none of the classes: [bold]{Markup.Escape(stranger.Label ?? "-")}[/]" +
                            (stranger.Unknown ? $" ({Markup.Escape(stranger.Rejection?.Reason ?? "")})"
                                : $" {stranger.Top?.Score:0.00} - not flagged: with frozen features on 28-px greyscale products the \"unknown\" check is weak; fine-tune or add a 'none' class"));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task EnsureDataAsync(string dataDir, int perClass, CliOutput output, CancellationToken ct)
    {
        var marker = Path.Combine(dataDir, $".demo-{perClass}");
        if (File.Exists(marker)) { output.Note($"demo data ready in {dataDir}"); return; }
        output.Note($"writing Fashion-MNIST demo data ({perClass} images per class + one video per class) to {dataDir}");
        if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
        var made = await FashionMnistDemoBuilder.BuildAsync(dataDir, new FashionMnistDemoOptions { PerClass = perClass }, ct);
        output.Note($"{made.Images} images and {made.Videos} videos in {made.Labels.Count} classes");
        File.WriteAllText(marker, "");
    }

    private sealed record Sample(string File, string Truth, string Predicted, float Score);

    /// <summary>Shows "unknown": a picture that is none of the classes, through the calibrated exported model.</summary>
    private static ClassifyResult ClassifyStranger(string modelPath, string root)
    {
        var path = Path.Combine(root, "not-clothing.png");
        AtomicFile.WriteAllBytes(path, Png.Encode(ShapesDatasetGenerator.Render("circle", new Random(3), 64)));
        using var model = ClassifierModel.Load(modelPath);
        return model.Classify(File.ReadAllBytes(path), 1, path);
    }

    private static async Task<IReadOnlyList<Sample>> ClassifySamplesAsync(string modelPath, IReadOnlyList<LabeledImage> items, CancellationToken ct)
    {
        // One held-out test image per class, in label order, so the sample is the same every run.
        var picks = items.Where(i => i.Split == Split.Test).GroupBy(i => i.Label).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.OrderBy(i => i.Sha256, StringComparer.Ordinal).First()).ToList();
        using var model = ClassifierModel.Load(modelPath);
        var samples = new List<Sample>();
        int n = 0;
        await foreach (var r in model.ClassifyFilesAsync(picks.Select(p => p.Path).ToList(), 1, ct: ct))
        {
            var truth = picks[n++].Label;
            if (r.Top is { } top) samples.Add(new Sample(r.Source, truth, top.Label, top.Score));
        }
        return samples;
    }

    private static void Print(CliOutput output, TrainResult main, TrainResult? baseline, IReadOnlyList<Sample> samples, string dataDir)
    {
        output.Line("");
        output.Line("[bold]Demo results[/] (same data, same split, same seed)");
        var table = new Table().AddColumns("backbone", "run", "test accuracy", "95% CI", "macro F1", "test images");
        foreach (var r in new[] { main, baseline }.OfType<TrainResult>())
        {
            var t = r.Test!;
            table.AddRow(Markup.Escape(BackboneOf(r)), r.Run.Id, ReportText.Pct(t.Accuracy), Markup.Escape(ReportText.Ci(t.AccuracyCi)),
                t.MacroF1.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), $"{t.Count}");
        }
        output.Render(table);
        output.Line($"per-class results of {main.Run.Id}:");
        output.Line(Markup.Escape(ReportText.Table(main.Test!)));
        output.Line("held-out test images classified by the exported model:");
        foreach (var s in samples)
            output.Line($"  {Markup.Escape(Path.GetFileName(s.File))}: [bold]{Markup.Escape(s.Predicted)}[/] {s.Score:0.00}" +
                        (s.Predicted == s.Truth ? " [green]right[/]" : $" [red]wrong[/] (is {Markup.Escape(s.Truth)})"));
        output.Line($"try: ./lookout classify {Markup.Escape(main.ModelPath)} {Markup.Escape(dataDir)}/bag --top 3");
    }

    private static string BackboneOf(TrainResult r) => r.Run.ReadJson<RunManifest>(r.Run.ManifestPath)?.Backbone ?? "?";
}

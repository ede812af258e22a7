using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation.Issues;
using Lookout.Core.Pipelines.DataIssues;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout data issues &lt;data-dir&gt;</c>: suspect labels, leaked near-duplicates, outliers (<see cref="DataIssuesPipeline"/>); CSV + JSON in the workspace.</summary>
public static class DataIssuesCommand
{
    public static Command Create(Argument<string> dataDir)
    {
        var backbone = SharedOptions.Backbone();
        var folds = new Option<int>("--folds") { Description = "Cross-validation folds for out-of-fold probabilities.", DefaultValueFactory = _ => 5 };
        var csvOut = new Option<string?>("--out", "-o") { Description = "CSV file to write (default: <workspace>/issues.csv)." };
        var top = new Option<int>("--top") { Description = "Rows per kind shown in the terminal.", DefaultValueFactory = _ => 10 };
        var command = new Command("issues", "Suspect labels (confident learning, k-fold), near-duplicates across splits (leakage), outliers.")
            { dataDir, backbone, folds, csvOut, top, DataCommands.Fps };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var dir = parse.GetValue(dataDir)!;
            var request = new DataIssuesRequest
            {
                DataDir = dir, Workspace = Locations.ForData(parse, dir), Backbone = parse.GetValue(backbone)!,
                Options = new DataIssuesOptions { Folds = parse.GetValue(folds) }, CsvPath = parse.GetValue(csvOut),
                Scan = new ScanOptions { FramesPerSecond = parse.GetValue(DataCommands.Fps) },
            };
            var outcome = await ProgressSink.RunAsync(output, sink => DataIssuesPipeline.RunAsync(request, new CliPipelineObserver(output, sink), ct));
            if (output.Json) output.WriteJson(outcome.Report);
            else Print(output, outcome.Report, parse.GetValue(top), outcome.CsvPath);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(CliOutput output, DataIssuesReport r, int top, string csvPath)
    {
        output.Line($"{r.Items} images, {r.Folds}-fold out-of-fold accuracy {r.OutOfFoldAccuracy:P1}: " +
                    $"[yellow]{r.SuspectLabels.Count} suspect labels[/], {r.NearDuplicates.Count} near-duplicates across splits, {r.Outliers.Count} outliers");
        if (r.SuspectLabels.Count > 0)
        {
            var t = new Table().AddColumns("suspect label", "given", "suggested", "P(given)", "P(suggested)");
            foreach (var s in r.SuspectLabels.Take(top))
                t.AddRow(Markup.Escape(s.Path), Markup.Escape(s.Label), Markup.Escape(s.Suggested), $"{s.GivenProbability:0.00}", $"{s.SuggestedProbability:0.00}");
            output.Render(t);
        }
        foreach (var d in r.NearDuplicates.Take(top))
            output.Line($"leak ({d.Similarity:0.000}): {Markup.Escape(d.PathA)} [grey]({d.SplitA})[/] ~ {Markup.Escape(d.PathB)} [grey]({d.SplitB})[/]");
        foreach (var o in r.Outliers.Take(top))
            output.Line($"outlier (z {o.RobustZ:0.0}): {Markup.Escape(o.Path)} [grey]({Markup.Escape(o.Label)})[/]");
        output.Line($"written: {Markup.Escape(csvPath)}");
    }
}

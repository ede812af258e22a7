using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Issues;
using Lookout.Core.IO;
using Lookout.Core.Models.Backbones;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout data issues &lt;data-dir&gt;</c>: suspect labels, leaked near-duplicates, outliers; CSV + JSON in the workspace.</summary>
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
            var workspace = Locations.ForData(parse, dir);
            var service = new DatasetService(workspace);
            DataCommands.WarnProblems(output, await DataCommands.ScanAsync(service, dir, parse.GetValue(DataCommands.Fps), output, ct));
            var items = DataCommands.UsableItems(service, dir);
            var (embedded, _) = await Embeddings.ExtractAsync(items, BackboneResolver.Resolve(parse.GetValue(backbone)), workspace, output, ct);
            output.Note($"cross-validating a head on {embedded.Count} embeddings ({parse.GetValue(folds)} folds)");
            var report = DataIssuesFinder.Analyze(embedded, new DataIssuesOptions { Folds = parse.GetValue(folds) }, ct: ct);

            var csvPath = parse.GetValue(csvOut) ?? Path.Combine(workspace.EnsureCreated().Root, "issues.csv");
            AtomicFile.WriteAllText(csvPath, DataIssuesCsv.Render(report));
            DataIssuesJson.Write(workspace, report);
            if (output.Json) output.WriteJson(report);
            else Print(output, report, parse.GetValue(top), csvPath);
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

using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Evaluation;
using Lookout.Core.Runs;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout runs list</c>: every run of the workspace with its task, backbone, data hash and test accuracy (classifiers) or mAP (detectors).</summary>
public static class RunsCommands
{
    public static Command Create()
    {
        var runs = new Command("runs", "Inspect training runs.");
        var list = new Command("list", "List the workspace's runs (oldest first).");
        CommandRunner.SetHandler(list, (parse, output, _) =>
        {
            var runsList = new RunStore(Locations.Existing(parse).RunsDir).List();
            if (output.Json) { output.WriteJson(runsList); return Task.FromResult(ExitCodes.Ok); }
            if (runsList.Count == 0) { output.Line("no runs yet"); return Task.FromResult(ExitCodes.Ok); }
            var table = new Table().AddColumns("run", "task", "created", "backbone", "classes", "data", "test score", "model");
            foreach (var r in runsList)
                table.AddRow(r.Id, r.Task, r.Created.ToLocalTime().ToString("yyyy-MM-dd HH:mm"), Markup.Escape(r.Backbone ?? "-"), $"{r.Classes}",
                    r.DatasetHash is { Length: >= 12 } h ? h[..12] : "-", TestScore(r),
                    r.HasModel ? "yes" : r.State switch
                    {
                        RunState.Resumable => "[yellow]no[/] (resumable)",
                        RunState.Failed => "[red]failed[/] (below)",
                        _ => "[yellow]no[/]",
                    });
            output.Render(table);
            foreach (var r in runsList.Where(r => r.State == RunState.Failed))
                output.Line($"{r.Id} failed: {Markup.Escape(r.Failure ?? "no reason was recorded")}");
            return Task.FromResult(ExitCodes.Ok);
        });
        runs.Subcommands.Add(list);
        runs.Subcommands.Add(RunsCompareCommand.Create());
        return runs;
    }

    /// <summary>Accuracy for a classifier run, mAP@0.5 (and @0.5:0.95) for a detector run.</summary>
    private static string TestScore(RunSummary r) => r.Task == RunSummary.DetectTask
        ? r.TestMap50 is { } m ? $"mAP@0.5 {m:0.000}" + (r.TestMap50To95 is { } m2 ? $", @.5:.95 {m2:0.000}" : "") + $" (n={r.TestCount} img)" : "-"
        : r.TestAccuracy is { } a ? $"{ReportText.Pct(a)} (n={r.TestCount})" : "-";
}

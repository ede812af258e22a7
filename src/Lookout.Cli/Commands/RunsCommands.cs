using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Evaluation;
using Lookout.Core.Runs;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout runs list</c>: every run of the workspace with its backbone, data hash and test accuracy.</summary>
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
            var table = new Table().AddColumns("run", "created", "backbone", "classes", "data", "test acc", "model");
            foreach (var r in runsList)
                table.AddRow(r.Id, r.Created.ToLocalTime().ToString("yyyy-MM-dd HH:mm"), Markup.Escape(r.Backbone ?? "-"), $"{r.Classes}",
                    r.DatasetHash is { Length: >= 12 } h ? h[..12] : "-",
                    r.TestAccuracy is { } a ? $"{ReportText.Pct(a)} (n={r.TestCount})" : "-", r.HasModel ? "yes" : r.State == RunState.Resumable ? "[yellow]no[/] (resumable)" : "[yellow]no[/]");
            output.Render(table);
            return Task.FromResult(ExitCodes.Ok);
        });
        runs.Subcommands.Add(list);
        runs.Subcommands.Add(RunsCompareCommand.Create());
        return runs;
    }
}

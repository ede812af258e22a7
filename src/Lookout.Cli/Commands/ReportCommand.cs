using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Datasets;
using Spectre.Console;
using Lookout.Core.Evaluation.Issues;
using Lookout.Core.Pipelines.Report;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout report &lt;run&gt;</c>: one self-contained HTML file with everything about a run.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var runArg = new Argument<string>("run") { Description = "Run id (e.g. train3) or run folder." };
        var command = new Command("report", "Write runs/<id>/report.html: dataset, per-class metrics with intervals, confusion, top losses, spot checks, " +
                                            "what the model sees, curves, data issues, Grad-CAM, unknown thresholds (one offline file).") { runArg };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var (run, workspace) = Locations.Run(parse, parse.GetValue(runArg)!);
            var items = File.Exists(workspace.CatalogPath) ? new DatasetService(workspace).Snapshot() : [];
            var (path, data) = await RunReport.WriteAsync(run, items, DataIssuesJson.TryRead(workspace), ct: ct);
            if (output.Json) output.WriteJson(new { run = run.Id, report = path, notes = data.Notes });
            else
            {
                foreach (var n in data.Notes) output.Note(n);
                output.Line($"written: [bold]{Markup.Escape(path)}[/]");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

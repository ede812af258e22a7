using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Pipelines.Report;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout report &lt;run&gt;</c>: one self-contained HTML file with everything about a run (<see cref="RunReport"/>).</summary>
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
            var outcome = await RunReport.WriteAsync(new RunReportRequest(workspace, run), new CliPipelineObserver(output, null), ct);
            if (output.Json) output.WriteJson(new { run = run.Id, report = outcome.Path, notes = outcome.Data.Notes });
            else
            {
                foreach (var n in outcome.Data.Notes) output.Note(n);
                output.Line($"written: [bold]{Markup.Escape(outcome.Path)}[/]");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

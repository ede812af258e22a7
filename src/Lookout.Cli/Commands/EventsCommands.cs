using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Watch.Events;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout events list</c>: alerts recorded by <c>watch</c> in the workspace catalog, newest first.</summary>
public static class EventsCommands
{
    public static Command Create()
    {
        var events = new Command("events", "Alerts raised by 'lookout watch'.");
        var limit = new Option<int>("--limit", "-n") { Description = "How many, newest first.", DefaultValueFactory = _ => 50 };
        var camera = new Option<string?>("--camera") { Description = "Only this camera." };
        var list = new Command("list", "List recorded events with their snapshot paths.") { limit, camera };
        CommandRunner.SetHandler(list, (parse, output, _) =>
        {
            var ws = Locations.Existing(parse);
            var rows = EventStore.List(ws.Root, parse.GetValue(limit), parse.GetValue(camera));
            if (output.Json) { output.WriteJson(rows); return Task.FromResult(ExitCodes.Ok); }
            if (rows.Count == 0) { output.Line("no events"); return Task.FromResult(ExitCodes.Ok); }
            var table = new Table().AddColumns("time", "camera", "rule", "label", "score", "snapshot");
            foreach (var e in rows)
                table.AddRow(e.Time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), Markup.Escape(e.Camera), Markup.Escape(e.Rule),
                    Markup.Escape(e.Label), $"{e.Score:0.00}", Markup.Escape(e.SnapshotPath ?? "-"));
            output.Render(table);
            return Task.FromResult(ExitCodes.Ok);
        });
        events.Subcommands.Add(list);
        return events;
    }
}

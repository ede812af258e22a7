using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Watch.Events;
using Lookout.Scale.Cameras;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout events list</c>: alerts recorded by <c>watch</c> in the workspace catalog, newest first; with <c>--db</c>, the
/// shared events table of watchers sharing cameras (and <c>events snapshot</c> fetches a picture kept there).
/// </summary>
public static class EventsCommands
{
    public static Command Create()
    {
        var events = new Command("events", "Alerts raised by 'lookout watch'.");
        var limit = new Option<int>("--limit", "-n") { Description = "How many, newest first.", DefaultValueFactory = _ => 50 };
        var camera = new Option<string?>("--camera") { Description = "Only this camera." };
        var db = new Option<string?>("--db") { Description = "Read the shared events table of watchers run with 'watch --db' (PostgreSQL connection string)." };
        var list = new Command("list", "List recorded events with their snapshot paths.") { limit, camera, db };
        CommandRunner.SetHandler(list, async (parse, output, ct) =>
        {
            if (parse.GetValue(db) is { Length: > 0 } connection) return await ListSharedAsync(connection, parse.GetValue(limit), parse.GetValue(camera), output, ct);
            return await ListLocal(parse, output);
        });
        events.Subcommands.Add(list);
        events.Subcommands.Add(Snapshot());
        return events;

        Task<int> ListLocal(System.CommandLine.ParseResult parse, CliOutput output)
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
        }
    }

    private static async Task<int> ListSharedAsync(string connection, int limit, string? camera, CliOutput output, CancellationToken ct)
    {
        await using var database = CameraSchema.Open(connection);
        var rows = await new SharedEventLog(database).ListAsync(limit, camera, ct);
        if (output.Json)
        {
            output.WriteJson(rows.Select(r => new
            {
                r.Alert.Id, r.Alert.Camera, r.Alert.Rule, r.Alert.Label, r.Alert.Score, r.Alert.TopScore, time = r.DbTime, hostTime = r.Alert.Time,
                frameTime = r.Alert.FrameTime.TotalSeconds, r.Alert.Seq, r.Owner, r.Epoch, snapshotBytes = r.SnapshotBytes, snapshotPath = r.Alert.SnapshotPath,
            }));
            return ExitCodes.Ok;
        }
        if (rows.Count == 0) { output.Line("no events"); return ExitCodes.Ok; }
        var table = new Table().AddColumns("time", "camera", "rule", "label", "score", "watcher (epoch)", "picture");
        foreach (var r in rows)
            table.AddRow(r.DbTime.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), Markup.Escape(r.Alert.Camera), Markup.Escape(r.Alert.Rule),
                Markup.Escape(r.Alert.Label), $"{r.Alert.Score:0.00}", Markup.Escape($"{r.Owner} ({r.Epoch})"),
                r.SnapshotBytes > 0 ? $"{r.SnapshotBytes / 1024.0:0.#} kB, id {Markup.Escape(r.Alert.Id)}" : "-");
        output.Render(table);
        return ExitCodes.Ok;
    }

    /// <summary><c>lookout events snapshot &lt;id&gt; --db ... -o picture.jpg</c>: the alert picture kept in the shared events table.</summary>
    private static Command Snapshot()
    {
        var id = new Argument<string>("id") { Description = "The event id (from 'events list --db')." };
        var db = new Option<string>("--db") { Description = "PostgreSQL connection string of the shared events table.", Required = true };
        var outFile = new Option<string>("--out", "-o") { Description = "Where to write the JPEG.", Required = true };
        var command = new Command("snapshot", "Save the picture of a shared event (kept in the database) to a file.") { id, db, outFile };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            await using var database = CameraSchema.Open(parse.GetValue(db)!);
            var jpeg = await new SharedEventLog(database).SnapshotAsync(parse.GetValue(id)!, ct)
                ?? throw new Lookout.Core.LookoutException($"no picture for event '{parse.GetValue(id)}' in this database");
            var path = parse.GetValue(outFile)!;
            Lookout.Core.IO.AtomicFile.WriteAllBytes(path, jpeg);
            output.Note($"{path}: {jpeg.Length / 1024.0:0.#} kB");
            return ExitCodes.Ok;
        });
        return command;
    }
}

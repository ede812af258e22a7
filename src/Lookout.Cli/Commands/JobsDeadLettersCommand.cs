using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Scale.Broker;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout jobs dead-letters [--job id] [--replay]</c>: lists the batches workers gave up on (corrupt images after
/// their tries, batches that kept killing workers, a model the database did not have) with the reason, and with
/// <c>--replay</c> puts them back on the work queue as first tries (after fixing the cause: a model stored, a file
/// replaced). Listing leaves the queue as it was.
/// </summary>
public static class JobsDeadLettersCommand
{
    public static Command Create()
    {
        var job = new Option<string?>("--job") { Description = "Only this job's dead letters." };
        var replay = new Option<bool>("--replay") { Description = "Put the (selected) dead letters back on the work queue as first tries." };
        var limit = new Option<int>("--limit") { Description = "Read at most this many dead letters.", DefaultValueFactory = _ => 10_000 };
        var broker = ScaleOptions.Broker();
        var command = new Command("dead-letters", "List the dead-letter queue (images workers gave up on, with the reason); --replay re-queues them.")
            { job, replay, limit, broker };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var only = parse.GetValue(job);
            bool Selected(DeadLetter d) => d.JobId is not null && (only is null || d.JobId == only);
            await using var connection = await BrokerConnector.ConnectAsync(ScaleOptions.BrokerUri(parse, broker), "lookout jobs dead-letters",
                TimeSpan.FromSeconds(30), output.Note, ct);
            var letters = await DeadLetters.ReadAsync(connection, parse.GetValue(replay) ? Selected : null, Math.Max(1, parse.GetValue(limit)), ct);
            var shown = letters.Where(d => only is null || d.JobId == only).ToList();
            if (output.Json)
                output.WriteJson(shown.Select(d => new { job = d.JobId, model = d.ModelId, images = d.Names, reason = d.Reason, attempt = d.Attempt, bytes = d.Bytes, replayed = d.Replayed }));
            else
            {
                foreach (var d in shown)
                    output.Line(Markup.Escape($"{(d.Replayed ? "replayed " : "")}{d.JobId ?? "(unreadable)"}: {d.Names.Count} image(s) after {d.Attempt} tries: {d.Reason}"
                        + (d.Names.Count > 0 ? $" [{string.Join(", ", d.Names.Take(3).Select(Path.GetFileName))}{(d.Names.Count > 3 ? ", ..." : "")}]" : "")));
                output.Note($"{shown.Count} dead letter(s){(parse.GetValue(replay) ? $", {shown.Count(d => d.Replayed)} put back on the work queue" : "")}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}

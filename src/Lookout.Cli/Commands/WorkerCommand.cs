using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Scale.Broker;
using Lookout.Scale.Jobs;
using Lookout.Scale.Store;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout worker --broker amqp://... --db "Host=..."</c>: answers queued bulk-job batches until stopped.</summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var broker = ScaleOptions.Broker();
        var db = ScaleOptions.Db();
        var name = new Option<string?>("--name") { Description = "This worker's name in results and logs (default host:pid)." };
        var prefetch = new Option<int>("--prefetch") { Description = "Batches held unacked at once.", DefaultValueFactory = _ => 2 };
        var concurrency = new Option<int>("--concurrency") { Description = "Batches processed at once (2 overlaps decoding with the model).", DefaultValueFactory = _ => 2 };
        var tries = new Option<int>("--max-tries") { Description = "Tries per corrupt image, and deliveries per batch, before dead-lettering.", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads (0: all cores).", DefaultValueFactory = _ => 0 };
        var idle = new Option<double?>("--exit-when-idle") { Description = "Stop after this many seconds with nothing to do (default: run until Ctrl+C)." };
        var cacheDir = new Option<string?>("--model-cache") { Description = "Folder for models fetched from the database (default: a temp folder)." };
        var command = new Command("worker", "Process bulk-job batches from RabbitMQ and write results to PostgreSQL (run any number, on any host).")
            { broker, db, name, prefetch, concurrency, tries, threads, idle, cacheDir };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var options = new WorkerOptions
            {
                Prefetch = (ushort)Math.Clamp(parse.GetValue(prefetch), 1, 1000),
                Concurrency = Math.Clamp(parse.GetValue(concurrency), 1, 64),
                MaxTries = Math.Max(1, parse.GetValue(tries)),
                IntraOpThreads = Math.Max(0, parse.GetValue(threads)),
                IdleExit = parse.GetValue(idle) is { } s ? TimeSpan.FromSeconds(s) : null,
            };
            if (parse.GetValue(name) is { } n) options = options with { Name = n };
            if (parse.GetValue(cacheDir) is { } dir) options = options with { ModelCacheDir = dir };
            // Batches run concurrently: one lock keeps log lines whole; the time stamps are UTC, like the database's.
            var gate = new Lock();
            void Log(string message) { lock (gate) output.Note($"{DateTime.UtcNow:HH:mm:ss.fff} {message}"); }
            await using var store = JobStore.Open(ScaleOptions.DbConnection(parse, db));
            await using var connection = await BrokerConnector.ConnectAsync(ScaleOptions.BrokerUri(parse, broker), $"lookout-worker {options.Name}",
                TimeSpan.FromMinutes(5), Log, ct);
            using var worker = new BatchWorker(store, connection, options, Log);
            try { await worker.RunAsync(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            if (output.Json) output.WriteJson(new { worker = options.Name, images = worker.ImagesDone });
            return ExitCodes.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Scale.Broker;
using Lookout.Scale.Jobs;
using Lookout.Scale.Messages;
using Lookout.Scale.Store;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout jobs submit|status|results</c>: bulk classification or embedding across machines. Batches go to
/// RabbitMQ, any number of <c>lookout worker</c> processes answer them, results land in PostgreSQL.
/// </summary>
public static class JobsCommands
{
    public static Command Create()
    {
        var jobs = new Command("jobs", "Bulk jobs over RabbitMQ + PostgreSQL: submit a folder, watch progress, fetch results.");
        jobs.Subcommands.Add(Submit());
        jobs.Subcommands.Add(Status());
        jobs.Subcommands.Add(Results());
        jobs.Subcommands.Add(JobsDeadLettersCommand.Create());
        return jobs;
    }

    private static Command Submit()
    {
        var input = new Argument<string>("input") { Description = "A folder of images (recursive), or a text file listing image paths, one per line." };
        var model = new Option<string>("--model", "-m") { Description = "Exported model (.onnx) or a run id/folder.", Required = true };
        var task = new Option<string>("--task") { Description = "classify (label and scores) or embed (the model's embedding vector).", DefaultValueFactory = _ => "classify" };
        var batch = new Option<int>("--batch") { Description = "Images per message (a batch is also cut at 16 MB).", DefaultValueFactory = _ => 32 };
        var top = new Option<int>("--top", "-k") { Description = "Classes kept per image.", DefaultValueFactory = _ => 5 };
        var broker = ScaleOptions.Broker();
        var db = ScaleOptions.Db();
        var resume = new Option<string?>("--resume") { Description = "Continue this job (a submit that died): the same input, model and task; images already queued for it are skipped." };
        var command = new Command("submit", "Enqueue every image of a folder or list file as batches for the workers; prints the job id.")
            { input, model, task, batch, top, resume, broker, db };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var files = ExpandInput(parse.GetValue(input)!);
            if (files.IsEmpty) throw new LookoutException("no image files matched");
            var request = new SubmitRequest(files.Files, Locations.Model(parse, parse.GetValue(model)!), JobTasks.Parse(parse.GetValue(task)!),
                Math.Max(1, parse.GetValue(top)), parse.GetValue(batch)) { ResumeJobId = parse.GetValue(resume) };
            await using var store = JobStore.Open(ScaleOptions.DbConnection(parse, db));
            await using var connection = await BrokerConnector.ConnectAsync(ScaleOptions.BrokerUri(parse, broker), "lookout-submit", TimeSpan.FromSeconds(10), output.Note, ct);
            var outcome = await ProgressSink.RunAsync(output, sink =>
                new JobSubmitter(store, connection).SubmitAsync(request, new SyncProgress(p => sink.Report("read and enqueued", p.Done, p.Total, "img")), ct));
            var unreadable = outcome.Unreadable.Concat(files.Skipped.Select(s => (s.Path, s.Reason))).ToList();
            if (output.Json)
                output.WriteJson(new
                {
                    job = outcome.JobId, model = outcome.ModelId, task = request.Task.Name(), images = outcome.Images, batches = outcome.Batches,
                    alreadyDone = outcome.AlreadyDone, alreadyQueued = outcome.AlreadyQueued, unreadable = unreadable.Select(u => new { file = u.Item1, error = u.Item2 }),
                });
            else
            {
                output.Line(outcome.JobId);
                output.Note($"{outcome.Images} images in {outcome.Batches} batches" + (outcome.AlreadyDone > 0 ? $" ({outcome.AlreadyDone} answered by this model before, not enqueued)" : "")
                    + (outcome.AlreadyQueued > 0 ? $" ({outcome.AlreadyQueued} already queued by the run that stopped, skipped)" : "")
                    + $"; watch with: lookout jobs status {outcome.JobId} --watch");
                foreach (var (file, error) in unreadable) output.Warn($"{file}: {error}");
            }
            return ExitCodes.ForItems(outcome.Images, unreadable.Count);
        });
        return command;
    }

    private static Command Status()
    {
        var job = new Argument<string>("job") { Description = "The job id printed by 'jobs submit'." };
        var watch = new Option<bool>("--watch", "-w") { Description = "Keep a progress bar up until the job is finished." };
        var db = ScaleOptions.Db();
        var command = new Command("status", "Progress of a job: answered, failed, pace and ETA.") { job, watch, db };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            await using var store = JobStore.Open(ScaleOptions.DbConnection(parse, db));
            var jobId = parse.GetValue(job)!;
            var progress = await store.ProgressAsync(jobId, ct);
            if (parse.GetValue(watch) && !progress.Complete)
                progress = await ProgressSink.RunAsync(output, async sink =>
                {
                    while (true)
                    {
                        sink.Report(jobId, progress.Finished, progress.Job.Total, "img", progress.Failed > 0 ? $"({progress.Failed} failed)" : "");
                        if (progress.Complete) return progress;
                        await Task.Delay(1000, ct);
                        progress = await store.ProgressAsync(jobId, ct);
                    }
                });
            if (output.Json)
                output.WriteJson(new
                {
                    job = jobId, model = progress.Job.ModelId, modelName = progress.Job.ModelName, task = progress.Job.Task.Name(),
                    total = progress.Job.Total, done = progress.Done, failed = progress.Failed, remaining = progress.Remaining,
                    percent = Math.Round(100 * progress.Fraction, 2), imagesPerSecond = progress.ImagesPerSecond is { } r ? Math.Round(r, 2) : (double?)null,
                    etaSeconds = progress.Eta is { } eta ? Math.Round(eta.TotalSeconds, 1) : (double?)null, complete = progress.Complete,
                });
            else
                output.Line(Markup.Escape(Describe(progress)));
            return progress.Complete && progress.Done == 0 && progress.Failed > 0 ? ExitCodes.Failure : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One status line: <c>[##########----------]  52.0%  1040/2000 answered, 3 failed, 85.2 img/s, ETA 0:00:11</c>.</summary>
    public static string Describe(JobProgress p)
    {
        const int width = 30;
        int filled = (int)Math.Round(width * p.Fraction);
        var bar = new string('#', filled) + new string('-', width - filled);
        var rate = p.ImagesPerSecond is { } r ? $", {r:0.#} img/s" : "";
        var eta = p.Complete ? ", complete" : p.Eta is { } e ? $", ETA {e:h\\:mm\\:ss}" : ", waiting for workers";
        return $"{p.Job.JobId} ({p.Job.Task.Name()}, {p.Job.ModelName}) [{bar}] {100 * p.Fraction,5:0.0}%  {p.Done}/{p.Job.Total} answered, {p.Failed} failed{rate}{eta}";
    }

    private static Command Results()
    {
        var job = new Argument<string>("job") { Description = "The job id printed by 'jobs submit'." };
        var format = new Option<string>("--format", "-f") { Description = "csv or json.", DefaultValueFactory = _ => "csv" };
        var outFile = new Option<string?>("--out", "-o") { Description = "Write to this file instead of stdout." };
        var db = ScaleOptions.Db();
        var command = new Command("results", "Every image of a job with its answer (or why it failed), in submission order.") { job, format, outFile, db };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var fmt = parse.GetValue(format)!.ToLowerInvariant();
            if (fmt is not ("csv" or "json")) throw new LookoutException($"--format must be csv or json, not '{fmt}'");
            await using var store = JobStore.Open(ScaleOptions.DbConnection(parse, db));
            var info = await store.GetJobAsync(parse.GetValue(job)!, ct);
            var path = parse.GetValue(outFile);
            await using var writer = path is null ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) : new StreamWriter(path + ".tmp", false, new UTF8Encoding(false));
            int done = 0, failed = 0, pending = 0;
            var writerFormat = fmt == "csv" ? (IResultWriter)new CsvResults(writer, info.Task) : new JsonResults(writer, info.Task);
            await writerFormat.BeginAsync();
            await foreach (var row in store.ResultsAsync(info, ct))
            {
                if (row.Error is not null) failed++; else if (row.Label is null && row.Embedding is null) pending++; else done++;
                await writerFormat.WriteAsync(row);
            }
            await writerFormat.EndAsync();
            await writer.FlushAsync(ct);
            if (path is not null) { writer.Close(); File.Move(path + ".tmp", path, overwrite: true); }
            if (pending > 0) output.Warn($"job not finished: {pending} of {done + failed + pending} images still pending");
            return ExitCodes.ForItems(done, failed);
        });
        return command;
    }

    /// <summary>A folder is walked (recursively, safely); a file is a list of image paths, relative to the list's folder.</summary>
    private static InputSet ExpandInput(string input)
    {
        if (Directory.Exists(input)) return InputFiles.Expand([input]);
        if (!File.Exists(input)) throw new LookoutException($"no folder or list file at {input}");
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(input))!;
        var lines = File.ReadLines(input).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => Path.IsPathRooted(l) ? l : Path.Combine(baseDir, l)).ToList();
        if (lines.Count == 0) throw new LookoutException($"{input} lists no image paths");
        return InputFiles.Expand(lines);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the pool and reorder reports).</summary>
    private sealed class SyncProgress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }

    private interface IResultWriter
    {
        Task BeginAsync();
        Task WriteAsync(JobResultRow row);
        Task EndAsync();
    }

    private sealed class CsvResults(TextWriter w, JobTask task) : IResultWriter
    {
        public Task BeginAsync() => w.WriteLineAsync(task == JobTask.Embed ? "name,sha256,status,embedding,error,worker" : "name,sha256,status,label,score,unknown,predictions,error,worker");

        public Task WriteAsync(JobResultRow r)
        {
            var status = Status(r);
            string[] cells = task == JobTask.Embed
                ? [r.Name, r.Sha256, status, r.Embedding is null ? "" : string.Join(' ', r.Embedding.Select(v => v.ToString("R", CultureInfo.InvariantCulture))), r.Error ?? "", r.Worker ?? ""]
                : [r.Name, r.Sha256, status, r.Label ?? "", r.Score?.ToString("0.######", CultureInfo.InvariantCulture) ?? "", r.Unknown is { } u ? (u ? "true" : "false") : "",
                   r.PredictionsJson ?? "", r.Error ?? "", r.Worker ?? ""];
            return w.WriteLineAsync(string.Join(',', cells.Select(Quote)));
        }

        public Task EndAsync() => Task.CompletedTask;

        private static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
    }

    private sealed class JsonResults(TextWriter w, JobTask task) : IResultWriter
    {
        private bool _first = true;

        public Task BeginAsync() => w.WriteAsync("[");

        public async Task WriteAsync(JobResultRow r)
        {
            object row = task == JobTask.Embed
                ? new { name = r.Name, sha256 = r.Sha256, status = Status(r), embedding = r.Embedding, error = r.Error, worker = r.Worker }
                : new
                {
                    name = r.Name, sha256 = r.Sha256, status = Status(r), label = r.Label, score = r.Score, unknown = r.Unknown,
                    predictions = r.PredictionsJson is null ? (System.Text.Json.JsonElement?)null : System.Text.Json.JsonDocument.Parse(r.PredictionsJson).RootElement,
                    error = r.Error, worker = r.Worker,
                };
            await w.WriteAsync((_first ? "\n" : ",\n") + System.Text.Json.JsonSerializer.Serialize(row, CliOutput.JsonOptions));
            _first = false;
        }

        public Task EndAsync() => w.WriteLineAsync(_first ? "]" : "\n]");
    }

    private static string Status(JobResultRow r) => r.Error is not null ? "failed" : r.Label is null && r.Embedding is null ? "pending" : "done";
}

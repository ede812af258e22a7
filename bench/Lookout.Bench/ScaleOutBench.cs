using System.Diagnostics;
using Lookout.Cli.Tests.Scale;
using Lookout.Core.Inference;
using Lookout.Scale.Broker;
using Lookout.Scale.Jobs;
using Lookout.Scale.Messages;
using Lookout.Scale.Store;
using Npgsql;

namespace Lookout.Bench;

/// <summary>
/// Bulk jobs over RabbitMQ + PostgreSQL (both started here on loopback, like the fault tests), on the default
/// pretrained backbone + a head and photo-like JPEGs:
/// 1. in process: <see cref="ClassifierModel.ClassifyFilesAsync"/> on the same files (the baseline, img/s and CPU-ms/img);
/// 2. 1, 2 and 3 local <c>lookout worker</c> processes (warmed up on a small job first): img/s from submit to the last
///    result, the ratio to in process, and the workers' CPU-ms per image (read from /proc), which is what sizing uses;
/// 3. per-message overhead: the same small images sent one per message and 32 per message to one worker; the
///    difference in worker CPU and wall time per message is what a message costs (publish, deliver, decode the
///    envelope, one database round trip, ack).
/// Options: <c>--images N</c> (default 120), <c>--size WxH</c> (default 1600x1200), <c>--small N</c> (default 256).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class ScaleOutBench
{
    private static readonly string[] Labels = ["a", "b", "c", "d", "e"];

    public static async Task Run(string[] args)
    {
        int count = IntArg(args, "--images", 120), small = IntArg(args, "--small", 256);
        var size = (args.SkipWhile(a => a != "--size").Skip(1).FirstOrDefault() ?? "1600x1200").Split('x').Select(int.Parse).ToArray();
        var root = Directory.CreateTempSubdirectory("lookout-scalebench-").FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        using var rabbit = new RabbitMqServer(Path.Combine(root, "rabbit"));
        using var pg = new PostgresServer(Path.Combine(root, "pg"));
        try
        {
            await Task.WhenAll(rabbit.StartAsync(), Task.Run(pg.Start));
            var model = BenchAssets.Classifier(root, Labels, out var backboneName);
            var photos = Folder(Path.Combine(root, "photos"), count, size[0], size[1]);
            var tiny = Folder(Path.Combine(root, "small"), small, 96, 72);
            Console.WriteLine($"scaleout: {count} JPEGs {size[0]}x{size[1]} (~{Directory.GetFiles(photos).Average(f => new FileInfo(f).Length) / 1e3:0} kB), {backboneName} + head, {Environment.ProcessorCount} cores, load average {BenchAssets.LoadAverage()}");

            var baseline = InProcess(model, photos);
            Console.WriteLine($"  in process (ClassifyFilesAsync): {baseline.Rate:0.0} img/s, {baseline.CpuMs:0.0} CPU-ms/img");
            await using var store = JobStore.Open(pg.ConnectionString);
            for (int workers = 1; workers <= 3; workers++)
            {
                var run = await Distributed(rabbit, pg, store, model, photos, tiny, workers, batch: 16, root);
                Console.WriteLine($"  {workers} worker(s): {run.Rate:0.0} img/s ({run.Rate / baseline.Rate:0.00}x in process), workers {run.CpuMs:0.0} CPU-ms/img, submit {run.SubmitMs:0.0} ms/img  (load {BenchAssets.LoadAverage()})");
            }
            var one = await Distributed(rabbit, pg, store, model, tiny, tiny, 1, batch: 1, root);
            var many = await Distributed(rabbit, pg, store, model, tiny, tiny, 1, batch: 32, root);
            double messagesSaved = small - Math.Ceiling(small / 32.0);
            Console.WriteLine($"  per-message overhead ({small} images of 96x72): batch 1 {one.Rate:0.0} img/s {one.CpuMs:0.00} CPU-ms/img, batch 32 {many.Rate:0.0} img/s {many.CpuMs:0.00} CPU-ms/img");
            Console.WriteLine($"    -> {(one.CpuMs - many.CpuMs) * small / messagesSaved:0.00} worker CPU-ms and {(small / one.Rate - small / many.Rate) * 1000 / messagesSaved:0.00} wall-ms per message (one worker); submit {(one.SubmitMs - many.SubmitMs) * small / messagesSaved:0.00} ms per message");
        }
        finally
        {
            await rabbit.StopAsync();
            pg.Stop();
            Directory.Delete(root, recursive: true);
        }
    }

    private sealed record Measured(double Rate, double CpuMs, double SubmitMs);

    private static string Folder(string dir, int count, int w, int h)
    {
        Directory.CreateDirectory(dir);
        Parallel.For(0, count, i => File.WriteAllBytes(Path.Combine(dir, $"p{i:00000}.jpg"), BenchAssets.PhotoLikeJpeg(w, h, seed: i + 1)));
        return dir;
    }

    private static Measured InProcess(string model, string folder)
    {
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList();
        using var m = ClassifierModel.Load(model);
        Drain(m, files.Take(8).ToList());
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Drain(m, files);
        double wall = clock.Elapsed.TotalSeconds, cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        return new Measured(files.Count / wall, cpuMs / files.Count, 0);
    }

    private static void Drain(ClassifierModel m, List<string> files)
    {
        var e = m.ClassifyFilesAsync(files).GetAsyncEnumerator();
        while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult()) { }
    }

    /// <summary>Starts the workers, warms them on a small job, then times one job from the start of submission to its last result.</summary>
    private static async Task<Measured> Distributed(RabbitMqServer rabbit, PostgresServer pg, JobStore store, string model, string folder, string warmFolder,
        int workers, int batch, string root)
    {
        var procs = Enumerable.Range(1, workers).Select(i => StartWorker(rabbit, pg, root, $"bench{i}")).ToList();
        try
        {
            await Submit(rabbit, store, model, Directory.GetFiles(warmFolder).Take(4 * workers).ToList(), 1, wait: true);
            await Truncate(pg);
            var cpu = procs.Sum(CpuSeconds);
            var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList();
            var clock = Stopwatch.StartNew();
            double submitSeconds = await Submit(rabbit, store, model, files, batch, wait: true);
            double wall = clock.Elapsed.TotalSeconds;
            double cpuMs = (procs.Sum(CpuSeconds) - cpu) * 1000;
            await Truncate(pg);
            return new Measured(files.Count / wall, cpuMs / files.Count, submitSeconds * 1000 / files.Count);
        }
        finally
        {
            foreach (var p in procs) { try { p.Kill(true); } catch (InvalidOperationException) { } p.WaitForExit(10_000); p.Dispose(); }
        }
    }

    /// <returns>Seconds spent submitting; with <paramref name="wait"/>, returns after the job's last result.</returns>
    private static async Task<double> Submit(RabbitMqServer rabbit, JobStore store, string model, List<string> files, int batch, bool wait)
    {
        await using var broker = await BrokerConnector.ConnectAsync(rabbit.Uri, "bench-submit", TimeSpan.FromSeconds(10), null, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var outcome = await new JobSubmitter(store, broker).SubmitAsync(new SubmitRequest(files, model, JobTask.Classify, 5, batch), null, CancellationToken.None);
        double submit = clock.Elapsed.TotalSeconds;
        while (wait && !(await store.ProgressAsync(outcome.JobId, CancellationToken.None)).Complete) await Task.Delay(100);
        return submit;
    }

    private static async Task Truncate(PostgresServer pg)
    {
        await using var conn = new NpgsqlConnection(pg.ConnectionString + ";Pooling=false");
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("TRUNCATE lookout_results, lookout_failures", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static Process StartWorker(RabbitMqServer rabbit, PostgresServer pg, string root, string name)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { BenchAssets.CliDll(), "worker", "--broker", rabbit.Uri, "--db", pg.ConnectionString, "--name", name, "--model-cache", Path.Combine(root, "models-" + name) })
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in BenchAssets.CliEnvironment()) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        return p;
    }

    /// <summary>User + system CPU of a process and its threads, from /proc (clock ticks of 10 ms).</summary>
    private static double CpuSeconds(Process p)
    {
        var fields = File.ReadAllText($"/proc/{p.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }

    private static int IntArg(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v && int.TryParse(v, out var n) ? n : fallback;
}

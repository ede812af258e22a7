using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.Scale.Broker;
using Lookout.TestSupport;
using Lookout.Tests.Shared;
using Npgsql;
using RabbitMQ.Client;

namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// Bulk jobs against REAL servers the tests start themselves (rabbitmq-server and PostgreSQL 15 on loopback, own
/// folders and ports) and real CLI processes: submit, several workers, status, results. Faults are real too: a worker
/// killed with SIGKILL mid-batch, the broker stopped and started mid-run, PostgreSQL stopped for a few seconds.
/// The model is the mean-colour classifier, so every image's right answer is known.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection("scale-out")] // one at a time: each starts two servers and several workers on a 2-core box
public sealed class BulkJobFaultTests : IDisposable
{
    private static readonly string[] Labels = ["red", "green", "blue"];
    private readonly BrokerAndDatabase _servers = new("scale");
    private readonly List<WorkerProcess> _workers = [];

    public BulkJobFaultTests()
    {
        Model = Path.Combine(_servers.Root, "colours.onnx");
        File.WriteAllBytes(Model, OnnxWriter.Serialize(MeanColourClassifier.Build(Labels, new PreprocessSpec(), [8, 0, 0, 0, 8, 0, 0, 0, 8], [0, 0, 0])));
    }

    private string Model { get; }

    /// <summary>Solid-colour PNGs, all different (so every file is its own image), named by the class they must get.</summary>
    private string MakeImages(int count, int corrupt = 0)
    {
        var dir = Path.Combine(_servers.Root, "images");
        Directory.CreateDirectory(dir);
        for (int i = 0; i < count; i++)
        {
            int c = i % 3, a = i / 3;
            var rgb = new byte[3];
            rgb[c] = 200;
            rgb[(c + 1) % 3] = (byte)(a % 26);
            rgb[(c + 2) % 3] = (byte)(a / 26);
            File.WriteAllBytes(Path.Combine(dir, $"{Labels[c]}-{i:D5}.png"), HostileImages.SolidPng(16, 16, rgb[0], rgb[1], rgb[2]));
        }
        for (int i = 0; i < corrupt; i++)
        {
            // A real PNG cut short: the header reads, the pixels do not.
            var png = HostileImages.Good("png", seed: i + 1);
            File.WriteAllBytes(Path.Combine(dir, $"corrupt-{i}.png"), png[..(png.Length / 2)]);
        }
        return dir;
    }

    private WorkerProcess StartWorker(string name, params string[] extra)
    {
        var w = new WorkerProcess(_servers.Root, name, _servers.Rabbit.Uri, _servers.Pg.ConnectionString, extra);
        _workers.Add(w);
        return w;
    }

    private async Task<string> SubmitAsync(string dir, int batch)
    {
        var r = await CliRunner.RunAsync(_servers.Root, ["--json", "jobs", "submit", dir, "--model", Model, "--batch", $"{batch}", "--broker", _servers.Rabbit.Uri, "--db", _servers.Pg.ConnectionString]);
        Assert.True(r.ExitCode is 0 or 3, r.StdErr);
        return JsonDocument.Parse(r.StdOut).RootElement.GetProperty("job").GetString()!;
    }

    private async Task<JsonElement> StatusAsync(string job)
    {
        var r = await CliRunner.RunAsync(_servers.Root, ["--json", "jobs", "status", job, "--db", _servers.Pg.ConnectionString]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return JsonDocument.Parse(r.StdOut).RootElement;
    }

    private long Scalar(string sql)
    {
        // No pool: a pooled connection would not survive the test restarting the server.
        using var conn = new NpgsqlConnection(_servers.Pg.ConnectionString + ";Pooling=false");
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    private long ResultRows() => Scalar("SELECT count(*) FROM lookout_results");

    /// <summary>Waits until the job is complete (every image answered or failed), failing with the workers' logs if it stalls.</summary>
    private async Task<JsonElement> WaitForCompletionAsync(string job, TimeSpan timeout)
    {
        // Polled in process (a CLI process per poll would take a core from the workers); the CLI answers once at the end.
        var deadline = DateTime.UtcNow + timeout;
        await using (var store = Lookout.Scale.Store.JobStore.Open(_servers.Pg.ConnectionString + ";Pooling=false"))
            while (true)
            {
                JobProgressOrNull progress;
                try { progress = new(await store.ProgressAsync(job, CancellationToken.None)); }
                catch (NpgsqlException) { progress = new(null); } // the database may be on its way back up
                if (progress.Value?.Complete == true) break;
                if (DateTime.UtcNow > deadline)
                    Assert.Fail($"job stalled at {progress.Value}\n" + string.Join("\n---\n", _workers.Select(w => $"{w.Name}:\n{w.Log}")));
                await Task.Delay(300);
            }
        var status = await StatusAsync(job);
        Assert.True(status.GetProperty("complete").GetBoolean(), status.ToString());
        return status;
    }

    private sealed record JobProgressOrNull(Lookout.Scale.Store.JobProgress? Value);

    /// <summary>Polls every 250 ms: each poll is a fresh database connection (a backend fork), so not more often.</summary>
    private static async Task WaitForAsync(Func<bool> reached, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!reached())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"never reached: {what}");
            await Task.Delay(250);
        }
    }

    /// <summary>Every image has exactly one result row, with the label its colour calls for; the CSV says the same.</summary>
    private async Task AssertEveryImageAnsweredOnceAndRightAsync(string job, int images)
    {
        Assert.Equal(images, ResultRows());
        Assert.Equal(images, Scalar("SELECT count(DISTINCT image_sha) FROM lookout_results"));
        var csv = await CliRunner.RunAsync(_servers.Root, ["jobs", "results", job, "--format", "csv", "--db", _servers.Pg.ConnectionString]);
        var rows = csv.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();
        var answered = rows.Where(r => r[2] == "done").ToList();
        Assert.Equal(images, answered.Count);
        foreach (var r in answered) Assert.StartsWith(r[3] + "-", Path.GetFileName(r[0]));
    }

    [Fact]
    public async Task KillingOneOfThreeWorkersMidBatch_LosesNothing_AndDuplicatesNothing()
    {
        const int images = 2000;
        var job = await SubmitAsync(MakeImages(images), batch: 40);
        var victim = StartWorker("w1", "--prefetch", "4");
        StartWorker("w2");
        StartWorker("w3");
        // Mid-run, with batches in its hands (prefetch 4): SIGKILL.
        await WaitForAsync(() => ResultRows() >= images / 4 && victim.Lines.Any(l => l.Contains("w1: ")) || victim.HasExited, "a quarter of the results", TimeSpan.FromSeconds(90));
        Assert.False(victim.HasExited, victim.Log);
        victim.Kill();
        var status = await WaitForCompletionAsync(job, TimeSpan.FromSeconds(90));
        Assert.Equal(images, status.GetProperty("done").GetInt32());
        Assert.Equal(0, status.GetProperty("failed").GetInt32());
        await AssertEveryImageAnsweredOnceAndRightAsync(job, images);
        // The killed worker answered some, the others the rest; what it held unacked was handed out again.
        Assert.True(Scalar("SELECT count(*) FROM lookout_results WHERE worker = 'w1'") > 0);
        Assert.Contains(_workers.Skip(1).SelectMany(w => w.Lines), l => l.Contains("redelivered batch"));
    }

    [Fact]
    public async Task BrokerRestartMidRun_TheRunCompletes_AndCorruptImagesEndDeadLetteredWithTheirReason()
    {
        const int images = 300;
        var job = await SubmitAsync(MakeImages(images, corrupt: 2), batch: 10);
        StartWorker("w1");
        StartWorker("w2");
        await WaitForAsync(() => ResultRows() >= images / 5, "a fifth of the results", TimeSpan.FromSeconds(60));
        // SIGKILL: instant (a clean stop can take longer than the rest of the run), and the harsher fault.
        await _servers.Rabbit.StopAsync(crash: true);
        long atStop = ResultRows();
        await Task.Delay(1000);
        await _servers.Rabbit.StartAsync();
        var status = await WaitForCompletionAsync(job, TimeSpan.FromSeconds(90));
        Assert.True(atStop < images, "the broker must go down mid-run");
        Assert.Equal(images, status.GetProperty("done").GetInt32());
        Assert.Equal(2, status.GetProperty("failed").GetInt32());
        await AssertEveryImageAnsweredOnceAndRightAsync(job, images);

        // The corrupt images: tried 3 times, then a failure row with the reason and a dead letter saying why.
        Assert.Equal(2, Scalar("SELECT count(*) FROM lookout_failures WHERE tries = 3 AND reason <> ''"));
        var json = await CliRunner.RunAsync(_servers.Root, ["jobs", "results", job, "--format", "json", "--db", _servers.Pg.ConnectionString]);
        var failed = JsonDocument.Parse(json.StdOut).RootElement.EnumerateArray().Where(r => r.GetProperty("status").GetString() == "failed").ToList();
        Assert.Equal(2, failed.Count);
        Assert.All(failed, f => Assert.StartsWith("corrupt-", Path.GetFileName(f.GetProperty("name").GetString())));
        Assert.All(failed, f => Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("error").GetString())));
        // Dead-lettering is at least once too (a dead letter confirmed just before the broker died, its ack lost, is
        // published again after the redelivery): the set of images is what must be exact.
        var dead = await DeadLettersAsync();
        Assert.Equal(["corrupt-0.png", "corrupt-1.png"], dead.SelectMany(d => d.Names).Select(Path.GetFileName).Distinct().Order());
        Assert.All(dead, d => Assert.Contains("corrupt-", d.Reason));

        // A batch no worker can finish (here: its model is not in the database) is returned, redelivered, then split
        // into single images, and each is dead-lettered with a reason once it has been delivered 3 times.
        var unknownModel = new string('0', 64);
        var stuck = new Lookout.Scale.Messages.BatchMessage("job-stuck", unknownModel, Lookout.Scale.Messages.JobTask.Classify, 5,
            [new("stuck-a.png", new string('a', 64), HostileImages.Good("png", seed: 7)), new("stuck-b.png", new string('b', 64), HostileImages.Good("png", seed: 8))]);
        await PublishAsync(stuck.Encode());
        await WaitForAsync(() => Scalar($"SELECT count(*) FROM lookout_failures WHERE model_id = '{unknownModel}'") == 2, "the stuck images dead-lettered", TimeSpan.FromSeconds(60));
        dead = await DeadLettersAsync();
        Assert.Equal(["stuck-a.png", "stuck-b.png"], dead.SelectMany(d => d.Names).Distinct().Order());
        Assert.All(dead, d => Assert.Contains("delivered 3 times", d.Reason));
        Assert.Contains(_workers.SelectMany(w => w.Lines), l => l.Contains("split into single images"));
    }

    private async Task PublishAsync(byte[] body)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_servers.Rabbit.Uri) };
        await using var conn = await factory.CreateConnectionAsync();
        await using var channel = await conn.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.BasicPublishAsync("", BrokerTopology.WorkQueue, mandatory: true, BrokerTopology.Persistent(1), body);
    }

    [Fact]
    public async Task DatabaseStoppedBriefly_WorkersBackOffAndRecover()
    {
        const int images = 300;
        var job = await SubmitAsync(MakeImages(images), batch: 10);
        StartWorker("w1");
        StartWorker("w2");
        await WaitForAsync(() => ResultRows() >= images / 5, "a fifth of the results", TimeSpan.FromSeconds(60));
        _servers.Pg.Stop();
        await WaitForAsync(() => _workers.Any(w => w.Lines.Any(l => l.Contains("cannot write results"))), "a worker backing off", TimeSpan.FromSeconds(30));
        await Task.Delay(2000);
        _servers.Pg.Start();
        var status = await WaitForCompletionAsync(job, TimeSpan.FromSeconds(90));
        Assert.Equal(images, status.GetProperty("done").GetInt32());
        await AssertEveryImageAnsweredOnceAndRightAsync(job, images);
        Assert.All(_workers, w => Assert.False(w.HasExited, w.Log));
        var text = await CliRunner.RunAsync(_servers.Root, ["jobs", "status", job, "--db", _servers.Pg.ConnectionString]);
        Assert.Contains("100.0%", text.StdOut);
        Assert.Contains($"{images}/{images} answered, 0 failed", text.StdOut);
        Assert.Contains("complete", text.StdOut);
    }

    private async Task<List<(List<string> Names, string Reason)>> DeadLettersAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri(_servers.Rabbit.Uri) };
        await using var conn = await factory.CreateConnectionAsync();
        await using var channel = await conn.CreateChannelAsync();
        var dead = new List<(List<string>, string)>();
        while (await channel.BasicGetAsync(BrokerTopology.DeadLetterQueue, autoAck: true) is { } msg)
        {
            var batch = Lookout.Scale.Messages.BatchMessage.Decode(msg.Body.Span);
            var reason = msg.BasicProperties.Headers?[BrokerTopology.ReasonHeader] is byte[] b ? System.Text.Encoding.UTF8.GetString(b) : "";
            dead.Add((batch.Items.Select(i => i.Name).ToList(), reason));
        }
        return dead;
    }

    public void Dispose()
    {
        foreach (var w in _workers) w.Dispose();
        _servers.Dispose();
    }
}

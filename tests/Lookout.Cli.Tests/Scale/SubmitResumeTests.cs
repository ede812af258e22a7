using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.Scale.Broker;
using Lookout.Scale.Messages;
using Lookout.TestSupport;
using Lookout.Tests.Shared;
using Npgsql;
using RabbitMQ.Client;

namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// <c>jobs submit --resume</c> against a REAL RabbitMQ and PostgreSQL: a submit SIGKILLed mid-run is resumed; the
/// images whose batches the broker had confirmed are not enqueued again, every image of the folder ends on the
/// queue, and the job lists each file once.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection("scale-out")]
public sealed class SubmitResumeTests : IDisposable
{
    private const int Images = 600;
    private readonly BrokerAndDatabase _servers = new("resume");

    [Fact]
    public async Task KilledSubmit_Resumed_EnqueuesOnlyWhatWasNotConfirmed_AndTheJobListsEachFileOnce()
    {
        var model = Path.Combine(_servers.Root, "colours.onnx");
        File.WriteAllBytes(model, OnnxWriter.Serialize(MeanColourClassifier.Build(["red", "green", "blue"], new PreprocessSpec(), [8, 0, 0, 0, 8, 0, 0, 0, 8], [0, 0, 0])));
        var dir = Path.Combine(_servers.Root, "images");
        Directory.CreateDirectory(dir);
        for (int i = 0; i < Images; i++)
            File.WriteAllBytes(Path.Combine(dir, $"img-{i:D4}.png"), HostileImages.SolidPng(8, 8, (byte)(i % 256), (byte)(i / 256), 99));
        string[] args = ["jobs", "submit", dir, "--model", model, "--batch", "2", "--broker", _servers.Rabbit.Uri, "--db", _servers.Pg.ConnectionString];

        // No workers: everything submitted stays on the queue, where the test can count it. Kill once some batches are confirmed.
        using (var submit = new CliProcess(_servers.Root, args))
            await submit.KillWhenAsync(() => Scalar("SELECT count(*) FROM lookout_job_items WHERE queued") >= 100, "100 images confirmed", TimeSpan.FromMinutes(2));
        var job = (string)ScalarObject("SELECT job_id FROM lookout_jobs")!;
        var confirmed = Names("SELECT name FROM lookout_job_items WHERE queued");
        long recordedBefore = Scalar("SELECT count(*) FROM lookout_job_items");
        Assert.True(recordedBefore < Images, $"the submit finished before the kill ({recordedBefore} recorded)");

        var resumed = await CliRunner.RunAsync(_servers.Root, ["--json", .. args, "--resume", job]);
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        var outcome = JsonDocument.Parse(resumed.StdOut).RootElement;
        Assert.Equal(job, outcome.GetProperty("job").GetString());
        Assert.Equal(confirmed.Count, outcome.GetProperty("alreadyQueued").GetInt32());
        Assert.Equal(Images, outcome.GetProperty("images").GetInt32());

        // The job: each file once, all marked queued, total = the folder.
        Assert.Equal(Images, Scalar($"SELECT count(DISTINCT name) FROM lookout_job_items WHERE job_id = '{job}'"));
        Assert.Equal(Images, Scalar($"SELECT count(*) FROM lookout_job_items WHERE job_id = '{job}' AND queued"));
        Assert.Equal(Images, Scalar($"SELECT total FROM lookout_jobs WHERE job_id = '{job}'"));

        // The queue: every image at least once; none of the confirmed ones twice (at most the last unconfirmed window is).
        var queued = await QueuedNamesAsync();
        Assert.Equal(Images, queued.Distinct().Count());
        var twice = queued.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(twice.Intersect(confirmed));
        Assert.True(twice.Count <= 16 * 2, $"{twice.Count} images enqueued twice (more than one publish window)");
    }

    private async Task<List<string>> QueuedNamesAsync()
    {
        var factory = new ConnectionFactory { Uri = new Uri(_servers.Rabbit.Uri) };
        await using var conn = await factory.CreateConnectionAsync();
        await using var channel = await conn.CreateChannelAsync();
        var names = new List<string>();
        while (await channel.BasicGetAsync(BrokerTopology.WorkQueue, autoAck: true) is { } msg)
            names.AddRange(BatchMessage.Decode(msg.Body.Span).Items.Select(i => i.Name));
        return names;
    }

    private HashSet<string> Names(string sql)
    {
        using var conn = new NpgsqlConnection(_servers.Pg.ConnectionString + ";Pooling=false");
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        using var r = cmd.ExecuteReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (r.Read()) names.Add(r.GetString(0));
        return names;
    }

    private object? ScalarObject(string sql)
    {
        using var conn = new NpgsqlConnection(_servers.Pg.ConnectionString + ";Pooling=false");
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        try { return cmd.ExecuteScalar(); }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn) { return 0L; }
    }

    private long Scalar(string sql) => Convert.ToInt64(ScalarObject(sql));

    public void Dispose()
    {
        _servers.Dispose();
    }
}

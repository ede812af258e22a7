using System.Diagnostics;
using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.Scale.Broker;
using Lookout.Scale.Jobs;
using Lookout.Scale.Messages;
using Lookout.Scale.Store;
using Lookout.TestSupport;
using Lookout.Tests.Shared;
using Npgsql;
using RabbitMQ.Client;

namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// <c>lookout jobs dead-letters [--replay]</c> against a REAL RabbitMQ and PostgreSQL on loopback: a batch whose model
/// is missing from the database is dead-lettered by a real worker; listing shows it with the reason and leaves it
/// there; once the model is stored, <c>--replay</c> puts it back and the worker answers every image.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection("scale-out")]
public sealed class DeadLetterReplayTests : IDisposable
{
    private readonly BrokerAndDatabase _servers = new("dead");
    private WorkerProcess? _worker;

    [Fact]
    public async Task DeadLetters_AreListedWithTheReason_KeptByListing_AndAnsweredAfterReplay()
    {
        var onnx = OnnxWriter.Serialize(MeanColourClassifier.Build(["red", "green", "blue"], new PreprocessSpec(), [8, 0, 0, 0, 8, 0, 0, 0, 8], [0, 0, 0]));
        var modelId = JobSubmitter.Sha256Hex(onnx);
        await using var store = JobStore.Open(_servers.Pg.ConnectionString);
        await store.EnsureSchemaAsync(default);

        // A batch for a model the database does not have (yet): the worker cannot answer it and gives up on it.
        var red = HostileImages.SolidPng(16, 16, 200, 10, 10);
        var blue = HostileImages.SolidPng(16, 16, 10, 10, 200);
        var batch = new BatchMessage("job-dl", modelId, JobTask.Classify, 3,
            [new("red.png", JobSubmitter.Sha256Hex(red), red), new("blue.png", JobSubmitter.Sha256Hex(blue), blue)]);
        await PublishAsync(batch.Encode());
        _worker = new WorkerProcess(_servers.Root, "w1", _servers.Rabbit.Uri, _servers.Pg.ConnectionString, "--max-tries", "2");
        await WaitForAsync(() => Scalar($"SELECT count(*) FROM lookout_failures WHERE model_id = '{modelId}'") == 2, "both images dead-lettered");

        var listed = await DeadLettersAsync();
        Assert.Equal(["blue.png", "red.png"], listed.SelectMany(d => d.GetProperty("images").EnumerateArray().Select(i => i.GetString()!)).Order());
        Assert.All(listed, d => Assert.Equal("job-dl", d.GetProperty("job").GetString()));
        Assert.All(listed, d => Assert.False(string.IsNullOrWhiteSpace(d.GetProperty("reason").GetString())));
        Assert.All(listed, d => Assert.False(d.GetProperty("replayed").GetBoolean()));
        Assert.Equal(listed.Count, (await DeadLettersAsync()).Count); // listing left them in the queue
        Assert.Empty(await DeadLettersAsync("--job", "another-job", "--replay")); // another job's filter touches nothing
        Assert.Equal(listed.Count, (await DeadLettersAsync()).Count);

        // Fix the cause, replay: every image is answered, and the queue is empty.
        await store.PutModelAsync(modelId, "colours", onnx, default);
        var replayed = await DeadLettersAsync("--job", "job-dl", "--replay");
        Assert.Equal(listed.Count, replayed.Count);
        Assert.All(replayed, d => Assert.True(d.GetProperty("replayed").GetBoolean()));
        await WaitForAsync(() => Scalar($"SELECT count(*) FROM lookout_results WHERE model_id = '{modelId}'") == 2, "the replayed images answered");
        Assert.Equal(1, Scalar($"SELECT count(*) FROM lookout_results WHERE model_id = '{modelId}' AND label = 'red' AND image_sha = '{JobSubmitter.Sha256Hex(red)}'"));
        Assert.Equal(1, Scalar($"SELECT count(*) FROM lookout_results WHERE model_id = '{modelId}' AND label = 'blue' AND image_sha = '{JobSubmitter.Sha256Hex(blue)}'"));
        Assert.Empty(await DeadLettersAsync());
    }

    private async Task<List<JsonElement>> DeadLettersAsync(params string[] extra)
    {
        var r = await CliRunner.RunAsync(_servers.Root, ["--json", "jobs", "dead-letters", "--broker", _servers.Rabbit.Uri, .. extra]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        return JsonDocument.Parse(r.StdOut).RootElement.EnumerateArray().ToList();
    }

    private async Task PublishAsync(byte[] body)
    {
        var factory = new ConnectionFactory { Uri = new Uri(_servers.Rabbit.Uri) };
        await using var conn = await factory.CreateConnectionAsync();
        await using var channel = await conn.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await BrokerTopology.DeclareAsync(channel, default);
        await channel.BasicPublishAsync("", BrokerTopology.WorkQueue, mandatory: true, BrokerTopology.Persistent(1), body);
    }

    private long Scalar(string sql)
    {
        using var conn = new NpgsqlConnection(_servers.Pg.ConnectionString + ";Pooling=false");
        conn.Open();
        using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    private async Task WaitForAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{what}: not after 60 s. Worker:\n{_worker?.Log}");
            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        _worker?.Dispose();
        _servers.Dispose();
    }
}

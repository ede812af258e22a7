using System.Diagnostics;
using Lookout.Core.Models;
using Lookout.Scale.Broker;
using Lookout.Scale.Messages;
using Lookout.Scale.Store;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Lookout.Scale.Jobs;

/// <summary>
/// One worker: takes batches from the quorum queue with manual acks and a small prefetch, runs them, writes the
/// answers to PostgreSQL and only then acks. Whatever dies in between (this process, the broker, the database), the
/// batch is redelivered and the idempotent insert makes the second write a no-op, so every image ends with exactly one
/// result. The order inside a batch is: publish follow-ups (retries, dead letters) with confirms, write rows, ack.
/// <list type="bullet">
/// <item>A corrupt image is retried in a new message (attempt + 1); after <see cref="WorkerOptions.MaxTries"/> it is
/// recorded as failed and published to the dead-letter queue with the reason. The rest of its batch is answered.</item>
/// <item>A batch delivered <see cref="WorkerOptions.MaxTries"/> times without an ack (it kills or hangs workers) is split
/// into single images; a single image that does it again is dead-lettered. The broker's delivery limit is the backstop.</item>
/// <item>Database down: the write is retried with backoff while the batch stays unacked, so nothing is lost or redone.</item>
/// </list>
/// </summary>
public sealed class BatchWorker(JobStore store, IConnection broker, WorkerOptions options, Action<string> log) : IDisposable
{
    private readonly WorkerModels _models = new(store.GetModelAsync, options.ModelCacheDir,
        OnnxRunnerOptions.Default with { IntraOpThreads = options.IntraOpThreads });
    private int _inFlight;
    private long _lastActivity = Stopwatch.GetTimestamp();
    private long _images, _batches;

    public long ImagesDone => Interlocked.Read(ref _images);

    public async Task RunAsync(CancellationToken ct)
    {
        await Retry("prepare the database", () => store.EnsureSchemaAsync(ct), ct);
        await using var channel = await broker.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
            consumerDispatchConcurrency: (ushort)Math.Max(1, options.Concurrency)), ct);
        await BrokerTopology.DeclareAsync(channel, ct);
        await channel.BasicQosAsync(0, options.Prefetch, global: false, ct);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, ea) => HandleAsync(channel, ea, ct);
        await channel.BasicConsumeAsync(BrokerTopology.WorkQueue, autoAck: false, consumer, ct);
        log($"worker {options.Name}: consuming {BrokerTopology.WorkQueue} (prefetch {options.Prefetch}, {options.Concurrency} at once, {options.MaxTries} tries)");

        var clock = Stopwatch.StartNew();
        long reported = 0;
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(250, ct); } catch (OperationCanceledException) { break; }
            if (clock.Elapsed.TotalSeconds >= 10 && ImagesDone != reported)
            {
                log($"worker {options.Name}: {ImagesDone} images in {Interlocked.Read(ref _batches)} batches");
                reported = ImagesDone;
                clock.Restart();
            }
            if (options.IdleExit is { } idle && Volatile.Read(ref _inFlight) == 0
                && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastActivity)) > idle)
            {
                log($"worker {options.Name}: idle for {idle.TotalSeconds:0} s, stopping after {ImagesDone} images");
                break;
            }
        }
    }

    private async Task HandleAsync(IChannel channel, BasicDeliverEventArgs ea, CancellationToken ct)
    {
        Interlocked.Increment(ref _inFlight);
        Touch();
        // The body is only valid during this call; keep our own copy.
        var body = ea.Body.ToArray();
        try
        {
            await ProcessAsync(channel, ea, body, ct);
            await AckAsync(channel, ea.DeliveryTag);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: the unacked batch goes back to the queue when the channel closes.
        }
        catch (Exception e)
        {
            log($"worker {options.Name}: batch failed ({e.GetType().Name}: {e.Message}); returning it to the queue");
            try { await channel.BasicNackAsync(ea.DeliveryTag, multiple: false, requeue: true, CancellationToken.None); }
            catch (Exception nack) when (nack is AlreadyClosedException or OperationInterruptedException) { /* redelivered anyway */ }
        }
        finally
        {
            Touch();
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task ProcessAsync(IChannel channel, BasicDeliverEventArgs ea, byte[] body, CancellationToken ct)
    {
        BatchMessage batch;
        try { batch = BatchMessage.Decode(body); }
        catch (InvalidDataException e)
        {
            await PublishAsync(channel, BrokerTopology.DeadLetterQueue, body, 1, $"malformed batch message: {e.Message}", ct);
            log($"worker {options.Name}: dead-lettered a malformed message ({e.Message})");
            return;
        }
        int attempt = (int)Math.Max(1, BrokerTopology.IntHeader(ea.BasicProperties, BrokerTopology.AttemptHeader));
        long deliveries = BrokerTopology.IntHeader(ea.BasicProperties, BrokerTopology.DeliveryCountHeader);
        if (ea.Redelivered) log($"worker {options.Name}: redelivered batch of {batch.Items.Count} from {batch.JobId} (delivery {deliveries + 1})");
        if (deliveries >= options.MaxTries)
        {
            await GiveUpOnDeliveriesAsync(channel, batch, attempt, deliveries, ct);
            return;
        }

        var model = await RetryValue("fetch the model", () => _models.GetAsync(batch.ModelId, ct), ct);
        var outcome = await BatchInference.RunAsync(model, batch, ct);
        var final = new List<ImageFailure>();
        if (outcome.Failed.Count > 0)
        {
            var items = outcome.Failed.Select(f => f.Item).ToList();
            var retry = batch with { Items = items };
            if (attempt < options.MaxTries)
                await PublishAsync(channel, BrokerTopology.WorkQueue, retry.Encode(), attempt + 1, null, ct);
            else
            {
                var reasons = string.Join("; ", outcome.Failed.Select(f => $"{f.Item.Name}: {f.Reason}"));
                await PublishAsync(channel, BrokerTopology.DeadLetterQueue, retry.Encode(), attempt, reasons, ct);
                final.AddRange(outcome.Failed.Select(f => new ImageFailure(f.Item.Sha256, f.Reason, attempt)));
                log($"worker {options.Name}: dead-lettered {items.Count} image(s) after {attempt} tries: {reasons}");
            }
        }
        int inserted = await RetryValue("write results", () => store.WriteAsync(batch.ModelId, batch.Task, options.Name, outcome.Results, final, ct), ct);
        if (inserted < outcome.Results.Count + final.Count)
            log($"worker {options.Name}: {outcome.Results.Count + final.Count - inserted} of {outcome.Results.Count + final.Count} results were already written (redelivery); kept the first");
        Interlocked.Add(ref _images, outcome.Results.Count);
        Interlocked.Increment(ref _batches);
    }

    /// <summary>A batch handed out too often without an ack: split it so one bad image cannot sink the others, or dead-letter a single image.</summary>
    private async Task GiveUpOnDeliveriesAsync(IChannel channel, BatchMessage batch, int attempt, long deliveries, CancellationToken ct)
    {
        if (batch.Items.Count > 1)
        {
            foreach (var item in batch.Items)
                await PublishAsync(channel, BrokerTopology.WorkQueue, (batch with { Items = [item] }).Encode(), attempt, null, ct);
            log($"worker {options.Name}: batch of {batch.Items.Count} from {batch.JobId} was delivered {deliveries} times without an ack; split into single images");
            return;
        }
        var reason = $"{batch.Items[0].Name}: delivered {deliveries} times without being answered (a worker crashed, hung or failed on it; see the workers' logs)";
        await PublishAsync(channel, BrokerTopology.DeadLetterQueue, batch.Encode(), attempt, reason, ct);
        await Retry("write the failure", () => store.WriteAsync(batch.ModelId, batch.Task, options.Name, [],
            [new ImageFailure(batch.Items[0].Sha256, reason, (int)deliveries)], ct), ct);
        log($"worker {options.Name}: dead-lettered {reason}");
    }

    private static async Task PublishAsync(IChannel channel, string queue, byte[] body, int attempt, string? reason, CancellationToken ct) =>
        await channel.BasicPublishAsync("", queue, mandatory: true, BrokerTopology.Persistent(attempt, reason), body, ct);

    private async Task AckAsync(IChannel channel, ulong tag)
    {
        try { await channel.BasicAckAsync(tag, multiple: false, CancellationToken.None); }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException)
        {
            // The broker went away after the rows were written: it will redeliver, and the insert will be a no-op.
            log($"worker {options.Name}: could not ack ({e.Message}); the batch will be redelivered and skipped");
        }
    }

    private Task Retry(string what, Func<Task> action, CancellationToken ct) => RetryValue(what, async () => { await action(); return 0; }, ct);

    /// <summary>Retries database work with backoff while the database is unreachable; the batch stays unacked meanwhile.</summary>
    private async Task<T> RetryValue<T>(string what, Func<Task<T>> action, CancellationToken ct)
    {
        var backoff = new Backoff();
        while (true)
        {
            try { return await action(); }
            catch (Exception e) when (IsTransient(e) && !ct.IsCancellationRequested)
            {
                var wait = backoff.Next();
                log($"worker {options.Name}: cannot {what} ({e.GetType().Name}: {e.Message}); retrying in {wait.TotalSeconds:0.0} s");
                Touch();
                await Task.Delay(wait, ct);
            }
        }
    }

    /// <summary>Connection trouble and a server shutting down or starting (SQLSTATE 57P0x, 08xxx) are waited out; a real SQL error is not.</summary>
    private static bool IsTransient(Exception e) => e switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or IOException => true,
        _ => false,
    };

    private void Touch() => Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());

    public void Dispose() => _models.Dispose();
}

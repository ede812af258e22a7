using System.Security.Cryptography;
using Lookout.Core;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models;
using Lookout.Scale.Broker;
using Lookout.Scale.Messages;
using Lookout.Scale.Store;
using RabbitMQ.Client;

namespace Lookout.Scale.Jobs;

/// <summary>
/// Enqueues a job: stores the model in the database (once per content hash, so any worker can fetch it), records the
/// job, then reads each image once, hashes it and publishes batches with publisher confirms (a batch counts as sent
/// only when the broker has it on disk). Items are recorded in the database before their batch is published, so a
/// result can always be joined to its job; images answered by this model before are recorded but not enqueued.
/// Items are marked queued once their batch is confirmed, so <see cref="SubmitRequest.ResumeJobId"/> can continue a
/// submit that died without enqueuing those images again.
/// </summary>
public sealed class JobSubmitter(JobStore store, IConnection broker)
{
    private static readonly ImageLimits ReadLimits = ImageLimits.Default with { MaxFileBytes = 96L * 1024 * 1024 };

    public async Task<SubmitOutcome> SubmitAsync(SubmitRequest request, IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        if (request.Files.Count == 0) throw new LookoutException("no image files to submit");
        if (request.BatchSize < 1) throw new LookoutException("--batch must be at least 1");
        var (modelId, modelName, onnx) = ReadModel(request);
        await store.EnsureSchemaAsync(ct);
        await store.PutModelAsync(modelId, modelName, onnx, ct);
        string jobId;
        var recorded = new Dictionary<string, (int Seq, bool Queued)>(StringComparer.Ordinal);
        if (request.ResumeJobId is { } resume)
        {
            var job = await store.GetJobAsync(resume, ct);
            if (job.ModelId != modelId || job.Task != request.Task)
                throw new LookoutException($"job {resume} was submitted with another model or task ({job.ModelName}, {job.Task.Name()}); resume it with the same --model and --task");
            jobId = resume;
            recorded = await store.RecordedItemsAsync(jobId, ct);
        }
        else
        {
            jobId = NewJobId();
            await store.CreateJobAsync(new JobInfo(jobId, modelId, modelName, request.Task, request.Top, request.Files.Count, DateTimeOffset.UtcNow), ct);
        }

        await using var channel = await broker.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        await BrokerTopology.DeclareAsync(channel, ct);

        var unreadable = new List<(string, string)>();
        var pending = new List<Task>();
        var pendingSeqs = new List<int>();
        var batch = new List<(JobItem Item, byte[] Bytes, bool New)>();
        long batchBytes = 0;
        int seq = recorded.Count == 0 ? 0 : recorded.Values.Max(v => v.Seq) + 1;
        int added = 0, batches = 0, alreadyDone = 0, alreadyQueued = 0, read = 0;

        // A batch counts as queued once the broker confirmed it: only then are its items marked, so a resumed submit
        // skips exactly what is safely on the queue (a batch confirmed but not yet marked is sent again: harmless).
        async Task Confirm()
        {
            await Task.WhenAll(pending);
            pending.Clear();
            await store.MarkQueuedAsync(jobId, pendingSeqs, ct);
            pendingSeqs.Clear();
        }

        async Task Flush()
        {
            if (batch.Count == 0) return;
            var items = batch.Select(b => b.Item).ToList();
            await store.AddItemsAsync(jobId, batch.Where(b => b.New).Select(b => b.Item).ToList(), ct);
            var done = await store.AlreadyDoneAsync(modelId, request.Task, items.Select(i => i.Sha256).ToHashSet(), ct);
            var todo = batch.Where(b => !done.Contains(b.Item.Sha256)).GroupBy(b => b.Item.Sha256).Select(g => g.First()).ToList();
            alreadyDone += batch.Count(b => done.Contains(b.Item.Sha256));
            if (todo.Count > 0)
            {
                var message = new BatchMessage(jobId, modelId, request.Task, request.Top, todo.Select(b => new BatchItem(b.Item.Name, b.Item.Sha256, b.Bytes)).ToList());
                pending.Add(channel.BasicPublishAsync("", BrokerTopology.WorkQueue, mandatory: true, BrokerTopology.Persistent(1), message.Encode(), ct).AsTask());
                batches++;
            }
            pendingSeqs.AddRange(items.Select(i => i.Seq));
            if (pending.Count >= request.PublishWindow) await Confirm();
            batch.Clear();
            batchBytes = 0;
        }

        foreach (var path in request.Files)
        {
            ct.ThrowIfCancellationRequested();
            bool known = recorded.TryGetValue(path, out var item);
            if (known && item.Queued)
            {
                alreadyQueued++;
                progress?.Report((++read, request.Files.Count));
                continue;
            }
            byte[] bytes;
            try { bytes = ImageSource.FromFile(path, ReadLimits).Bytes; }
            catch (ImageDecodeException e) { unreadable.Add((path, e.Reason)); continue; }
            finally { progress?.Report((++read, request.Files.Count)); }
            if (batch.Count > 0 && batchBytes + bytes.Length > request.MaxBatchBytes) await Flush();
            batch.Add((new JobItem(known ? item.Seq : seq++, path, Sha256Hex(bytes)), bytes, !known));
            if (!known) added++;
            batchBytes += bytes.Length;
            if (batch.Count >= request.BatchSize) await Flush();
        }
        await Flush();
        await Confirm(); // a nack or a returned message throws here: the job is not fully enqueued
        int images = recorded.Count + added;
        if (unreadable.Count > 0 || request.ResumeJobId is not null) await store.SetTotalAsync(jobId, images, ct);
        if (images == 0) throw new LookoutException($"none of the {request.Files.Count} files could be read (first: {unreadable[0].Item2})");
        return new SubmitOutcome(jobId, modelId, images, batches, alreadyDone, unreadable) { AlreadyQueued = alreadyQueued };
    }

    /// <summary>The model's bytes and id (its SHA-256); loading it here refuses a file workers could not use, before anything is enqueued.</summary>
    private static (string Id, string Name, byte[] Onnx) ReadModel(SubmitRequest request)
    {
        using (var model = ClassifierModel.Load(request.ModelPath))
        {
            if (request.Task == JobTask.Embed)
                using (new OnnxImageRunner(request.ModelPath, ModelMetadata.EmbeddingOutput, model.Spec)) { } // throws when there is no embedding output
            var bytes = File.ReadAllBytes(request.ModelPath);
            var name = model.RunId ?? Path.GetFileNameWithoutExtension(request.ModelPath);
            return (Sha256Hex(bytes), name, bytes);
        }
    }

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static string NewJobId() => $"job-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
}

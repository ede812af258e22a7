using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Scale.Messages;
using Lookout.Scale.Store;

namespace Lookout.Scale.Jobs;

/// <summary>What became of each image of a batch: an answer, or the reason it could not be read.</summary>
public sealed record BatchOutcome(IReadOnlyList<ImageResult> Results, IReadOnlyList<(BatchItem Item, string Reason)> Failed);

/// <summary>
/// Runs one batch through Lookout's own inference: the same pipeline as <c>lookout classify</c> on a folder
/// (decoders on dedicated threads with the model's preprocessing, shrink-on-load, EXIF orientation and limits,
/// overlapping the forward passes), fed from the message's bytes, so a result here equals <c>lookout classify</c>
/// on the same file.
/// </summary>
public static class BatchInference
{
    public static async Task<BatchOutcome> RunAsync(WorkerModel model, BatchMessage batch, CancellationToken ct)
    {
        var sources = batch.Items.Select(i => ImageSource.FromBytes(i.Bytes, i.Name)).ToList();
        var results = new List<ImageResult>(batch.Items.Count);
        var failed = new List<(BatchItem, string)>();
        int index = 0;
        if (batch.Task == JobTask.Embed)
        {
            await foreach (var o in model.Embedder.RunSourcesAsync(sources, null, ct))
            {
                var item = batch.Items[index++];
                if (o.Output is { } vector) results.Add(new ImageResult(item.Sha256, null, null, null, null, vector));
                else failed.Add((item, o.Error ?? "could not be decoded"));
            }
        }
        else
        {
            await foreach (var a in model.Classifier.ClassifySourcesAsync(sources, Math.Max(1, batch.Top), ct))
            {
                var item = batch.Items[index++];
                if (!a.Ok) { failed.Add((item, a.Error!)); continue; }
                var predictions = JsonSerializer.Serialize(a.Predictions.Select(p => new { @class = p.Label, score = p.Score }));
                results.Add(new ImageResult(item.Sha256, a.Label, a.Top?.Score, a.Rejection is null ? null : a.Unknown, predictions, null));
            }
        }
        return new BatchOutcome(results, failed);
    }
}

using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Scale.Messages;
using Lookout.Scale.Store;

namespace Lookout.Scale.Jobs;

/// <summary>What became of each image of a batch: an answer, or the reason it could not be read.</summary>
public sealed record BatchOutcome(IReadOnlyList<ImageResult> Results, IReadOnlyList<(BatchItem Item, string Reason)> Failed);

/// <summary>
/// Runs one batch through Lookout's own inference: every image decoded by <see cref="ImageLoader"/> with the model's
/// preprocessing (shrink-on-load, EXIF orientation, the same limits as every other path), all cores decoding at once,
/// then one forward pass for the batch, so a result here equals <c>lookout classify</c> on the same file.
/// </summary>
public static class BatchInference
{
    public static BatchOutcome Run(WorkerModel model, BatchMessage batch)
    {
        var spec = model.Classifier.Spec;
        var decoded = new RgbImage?[batch.Items.Count];
        var errors = new string?[batch.Items.Count];
        Parallel.For(0, batch.Items.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            var item = batch.Items[i];
            try { decoded[i] = ImageLoader.Load(item.Bytes, spec, sourceName: item.Name); }
            catch (ImageDecodeException e) { errors[i] = e.Reason; }
            // As in the file pipeline: a decoder bug is this image's error, never the batch's.
            catch (Exception e) when (e is not OperationCanceledException) { errors[i] = $"could not be decoded ({e.GetType().Name}: {e.Message})"; }
        });
        var ok = Enumerable.Range(0, batch.Items.Count).Where(i => decoded[i] is not null).ToList();
        var images = ok.Select(i => decoded[i]!).ToList();
        var results = new List<ImageResult>(ok.Count);
        if (images.Count > 0)
        {
            if (batch.Task == JobTask.Embed)
            {
                var vectors = model.Embedder.Run(images);
                for (int k = 0; k < ok.Count; k++) results.Add(new ImageResult(batch.Items[ok[k]].Sha256, null, null, null, null, vectors[k]));
            }
            else
            {
                var answers = model.Classifier.ClassifyImages(images, Math.Max(1, batch.Top));
                for (int k = 0; k < ok.Count; k++)
                {
                    var a = answers[k];
                    var predictions = JsonSerializer.Serialize(a.Predictions.Select(p => new { @class = p.Label, score = p.Score }));
                    results.Add(new ImageResult(batch.Items[ok[k]].Sha256, a.Label, a.Top?.Score, a.Rejection is null ? null : a.Unknown, predictions, null));
                }
            }
        }
        var failed = Enumerable.Range(0, batch.Items.Count).Where(i => errors[i] is not null).Select(i => (batch.Items[i], errors[i]!)).ToList();
        return new BatchOutcome(results, failed);
    }
}

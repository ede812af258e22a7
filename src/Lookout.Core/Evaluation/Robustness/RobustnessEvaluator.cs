using Lookout.Core.Datasets;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Heads;

namespace Lookout.Core.Evaluation.Robustness;

/// <summary>Accuracy at one strength of one corruption.</summary>
public sealed record RobustnessPoint(double Level, int Correct, int Count, double Accuracy, Interval Ci);

public sealed record RobustnessCurve(string Corruption, string Unit, IReadOnlyList<RobustnessPoint> Points);

/// <summary>Accuracy against brightness, contrast, blur, noise, JPEG quality and rotation on one split: where the model breaks.</summary>
public sealed record RobustnessReport(string Model, string Split, int Images, IReadOnlyList<RobustnessCurve> Curves, IReadOnlyList<ItemError> Errors)
{
    public const string JsonFile = "robustness.json";
    public const string PngFile = "robustness.png";

    /// <summary>The weakest point of each corruption relative to the clean accuracy (first level), worst first.</summary>
    public IEnumerable<(string Corruption, RobustnessPoint Point, double Drop)> Drops() =>
        Curves.Select(c => (c.Corruption, Point: c.Points.MinBy(p => p.Accuracy)!, Drop: c.Points[0].Accuracy - c.Points.Min(p => p.Accuracy)))
            .OrderByDescending(t => t.Drop);
}

/// <summary>
/// Runs the exported model (the same <see cref="ClassifierModel"/> path as <c>classify</c>) on every image of a split
/// under each corruption level of <see cref="Corruptions.Standard"/>. Each image is decoded once at the model's input
/// size; corruptions are applied to that, then classified in batches.
/// </summary>
public static class RobustnessEvaluator
{
    public static async Task<RobustnessReport> EvaluateAsync(ClassifierModel model, IReadOnlyList<LabeledImage> items, Split split = Split.Test,
        IReadOnlyList<Corruption>? corruptions = null, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        corruptions ??= Corruptions.Standard;
        var index = model.Labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var selected = items.Where(i => i.Split == split && index.ContainsKey(i.Label)).ToList();
        var images = new RgbImage?[selected.Count];
        var errors = new ItemError?[selected.Count];
        await Task.Run(() => Parallel.For(0, selected.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            try { images[i] = ImageLoader.Load(selected[i].Path, model.Spec); }
            catch (Exception e) when (e is ImageDecodeException or IOException or UnauthorizedAccessException)
            {
                errors[i] = new ItemError(selected[i].Path, e is ImageDecodeException d ? d.Reason : e.Message);
            }
        }), ct);
        var ok = Enumerable.Range(0, selected.Count).Where(i => images[i] is not null).ToList();
        var truth = ok.Select(i => index[selected[i].Label]).ToArray();
        int done = 0;
        var curves = new List<RobustnessCurve>();
        foreach (var c in corruptions)
        {
            var points = new List<RobustnessPoint>();
            foreach (var level in c.Levels)
            {
                ct.ThrowIfCancellationRequested();
                int correct = 0;
                for (int start = 0; start < ok.Count; start += 32)
                {
                    var batch = ok.Skip(start).Take(32).ToList();
                    var corrupted = new RgbImage[batch.Count];
                    Parallel.For(0, batch.Count, k => corrupted[k] = c.Apply(images[batch[k]]!, level, batch[k]));
                    var probs = model.Probabilities(corrupted);
                    for (int k = 0; k < batch.Count; k++) if (HeadForward.ArgMax(probs[k]) == truth[start + k]) correct++;
                }
                points.Add(new RobustnessPoint(level, correct, ok.Count, ok.Count == 0 ? double.NaN : (double)correct / ok.Count, ReportBuilder.Wilson(correct, ok.Count)));
                progress?.Report(++done);
            }
            curves.Add(new RobustnessCurve(c.Name, c.Unit, points));
        }
        return new RobustnessReport(model.RunId ?? model.ModelPath, split.ToString().ToLowerInvariant(), ok.Count, curves, [.. errors.OfType<ItemError>()]);
    }
}

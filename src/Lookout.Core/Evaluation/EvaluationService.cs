using Lookout.Core.Datasets;
using Lookout.Core.Inference;
using Lookout.Core.Models;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Heads;

namespace Lookout.Core.Evaluation;

/// <summary>
/// Evaluates an exported model on a split of labelled images. It runs the exported ONNX through
/// <see cref="ClassifierModel"/>, the same path <c>classify</c> uses, so reported scores are the scores users get.
/// </summary>
public static class EvaluationService
{
    public static async Task<EvaluationReport> EvaluateAsync(string modelPath, IReadOnlyList<LabeledImage> items, Split split = Split.Test,
        IProgress<BatchProgress>? progress = null, CancellationToken ct = default, OnnxRunnerOptions? runner = null)
    {
        using var model = ClassifierModel.Load(modelPath, runner);
        return await EvaluateAsync(model, items, split, progress, ct);
    }

    public static async Task<EvaluationReport> EvaluateAsync(ClassifierModel model, IReadOnlyList<LabeledImage> items, Split split = Split.Test,
        IProgress<BatchProgress>? progress = null, CancellationToken ct = default)
    {
        var index = model.Labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var errors = new List<ItemError>();
        var selected = new List<LabeledImage>();
        foreach (var item in items.Where(i => i.Split == split))
        {
            if (index.ContainsKey(item.Label)) selected.Add(item);
            else errors.Add(new ItemError(item.Path, $"label '{item.Label}' is not one of the model's classes"));
        }

        var scored = new List<ReportBuilder.Scored>(selected.Count);
        int i = 0, unknown = 0;
        await foreach (var r in model.ClassifyFilesAsync(selected.Select(x => x.Path).ToList(), top: 1, progress, ct))
        {
            var item = selected[i++];
            if (r.Probabilities is { } p)
            {
                scored.Add(new ReportBuilder.Scored(item.Path, index[item.Label], p));
                if (r.Unknown) unknown++;
            }
            else errors.Add(new ItemError(item.Path, r.Error ?? "not scored"));
        }
        var report = ReportBuilder.Build(model.RunId ?? model.ModelPath, split.ToString().ToLowerInvariant(), model.Labels, scored, errors);
        return model.Thresholds is null ? report : report with { CalledUnknown = unknown };
    }

    /// <summary>
    /// Evaluates a head on the split's backbone embeddings (from the embedding cache): the function the exported model
    /// computes (backbone graph, then the head with its standardisation folded, then softmax) without running the
    /// backbone again, so a retrain on cached embeddings evaluates in milliseconds. A test keeps this equal to
    /// evaluating the exported file. Items without an embedding are reported as not scored.
    /// </summary>
    public static EvaluationReport EvaluateEmbeddings(string model, HeadWeights head, RejectionThresholds? thresholds,
        IReadOnlyList<LabeledImage> items, IReadOnlyList<float[]?> embeddings, Split split = Split.Test)
    {
        var index = head.Labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var rejector = thresholds is null ? null : new Rejector(thresholds);
        var errors = new List<ItemError>();
        var scored = new List<ReportBuilder.Scored>();
        int unknown = 0;
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item.Split != split) continue;
            if (!index.TryGetValue(item.Label, out var y)) { errors.Add(new ItemError(item.Path, $"label '{item.Label}' is not one of the model's classes")); continue; }
            if (embeddings[i] is not { } e) { errors.Add(new ItemError(item.Path, "not embedded")); continue; }
            var p = head.Probabilities(e);
            scored.Add(new ReportBuilder.Scored(item.Path, y, p));
            if (rejector?.Decide(head.Labels, p, e).Unknown == true) unknown++;
        }
        var report = ReportBuilder.Build(model, split.ToString().ToLowerInvariant(), head.Labels, scored, errors);
        return thresholds is null ? report : report with { CalledUnknown = unknown };
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.Inference;
using Lookout.Core.Models;

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
}

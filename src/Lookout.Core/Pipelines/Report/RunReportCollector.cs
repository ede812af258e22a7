using Lookout.Core.Datasets;
using Lookout.Core.Evaluation.Explain;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Runs;
using Lookout.Core.Training;
using Lookout.Core.Evaluation.Issues;
using Lookout.Core.Evaluation;
using Lookout.Core.Evaluation.Walkthroughs;

namespace Lookout.Core.Pipelines.Report;

public sealed record RunReportOptions
{
    public int TopLosses { get; init; } = 12;
    public int SpotChecksPerLabel { get; init; } = 6;
    public int PreprocessSamples { get; init; } = 4;
    /// <summary>Grad-CAM overlays for this many misclassified test images (each runs the model in torch once).</summary>
    public int GradCams { get; init; } = 4;
    public int ThumbnailSize { get; init; } = 128;
    public int Seed { get; init; } = 42;
}

/// <summary>
/// Gathers a run's report: recorded files (manifest, options, metrics, evaluation), the workspace's images for the
/// galleries, the exported model for spot checks and Grad-CAM, and the last data-issues report. Missing pieces
/// become notes rather than failures, so a half-finished run still gets a report.
/// </summary>
public static class RunReportCollector
{
    public static async Task<RunReportData> CollectAsync(RunFolder run, IReadOnlyList<LabeledImage> items, DataIssuesReport? issues,
        RunReportOptions? options = null, CancellationToken ct = default)
    {
        options ??= new RunReportOptions();
        var notes = new List<string>();
        var manifest = run.ReadJson<RunManifest>(run.ManifestPath);
        if (manifest is null) notes.Add("no manifest.json: the run's inputs are unknown");
        string? optionsJson = File.Exists(run.OptionsPath) ? File.ReadAllText(run.OptionsPath) : null;
        bool changed = manifest is not null && items.Count > 0 && RunManifest.HashDataset(items) != manifest.DatasetHash;
        if (changed) notes.Add("the workspace's data changed since this run was trained: galleries show today's images");

        var dataset = items.GroupBy(i => i.Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new LabelRow(g.Key, g.Count(i => i.Split == Split.Train), g.Count(i => i.Split == Split.Val), g.Count(i => i.Split == Split.Test)))
            .ToList();

        EvaluationReport? test = File.Exists(run.EvalJsonPath) ? ReportJson.Parse(File.ReadAllText(run.EvalJsonPath)) : null;
        if (test is null) notes.Add("no test evaluation (eval.json): per-class metrics, confusion matrix and top losses are missing");

        IReadOnlyList<EpochMetrics> epochs = File.Exists(run.MetricsPath) ? MetricsTsvWriter.Read(run.MetricsPath) : [];
        int best = epochs.LastOrDefault(e => e.Improved)?.Epoch ?? 0;
        byte[]? loss = null, acc = null;
        if (epochs.Count > 0) (loss, acc) = TrainingCurvesPlot.RenderPng(epochs, best);
        else notes.Add("no metrics.tsv: no training curves");

        var topLosses = (test?.TopLosses ?? []).Take(options.TopLosses).Where(t => File.Exists(t.Path))
            .Select(t => Thumb(t.Path, options.ThumbnailSize, $"{t.Label} → {t.Predicted} ({t.Score:0.00})",
                $"{t.Path}; P(true) {t.TrueProbability:0.000}, loss {t.Loss:0.00}", t.Label != t.Predicted))
            .OfType<ReportImage>().ToList();

        var spot = new List<SpotCheck>();
        var preprocess = new List<PreprocessPair>();
        var gradCams = new List<ReportImage>();
        Inference.Rejection.RejectionThresholds? thresholds = null;
        PreprocessSpec? spec = null;
        if (File.Exists(run.ModelPath))
        {
            using var model = ClassifierModel.Load(run.ModelPath);
            spec = model.Spec;
            thresholds = model.Thresholds;
            spot = await SpotChecksAsync(model, items, options, ct);
            preprocess = Preprocess(items, model.Spec, options);
            gradCams = GradCams(run.ModelPath, model, test, options, notes);
        }
        else notes.Add("no model.onnx: no spot checks, preprocessing preview or Grad-CAM");
        var suspects = (issues?.SuspectLabels ?? []).Take(options.TopLosses).Where(x => File.Exists(x.Path))
            .Select(x => Thumb(x.Path, options.ThumbnailSize, $"labelled {x.Label}, looks like {x.Suggested}",
                $"{x.Path}; P(given) {x.GivenProbability:0.00}, P(suggested) {x.SuggestedProbability:0.00}", true))
            .OfType<ReportImage>().ToList();
        if (issues is null) notes.Add("no data-issues report yet: run 'lookout data issues <data-dir>' to add suspect labels, leaks and outliers");

        var robustnessJson = Path.Combine(run.Dir, Evaluation.Robustness.RobustnessReport.JsonFile);
        var robustness = File.Exists(robustnessJson) ? Evaluation.Robustness.RobustnessOutput.FromJson(File.ReadAllText(robustnessJson)) : null;
        if (robustness is null) notes.Add($"no robustness evaluation: run 'lookout eval {run.Id} --robustness' to see accuracy under brightness, contrast, blur, noise, JPEG and rotation");
        return new RunReportData(run.Id, DateTimeOffset.UtcNow, manifest, optionsJson, changed, dataset, test,
            test is null ? null : ConfusionMatrixPlot.RenderPng(test), loss, acc, epochs.Count, best,
            topLosses, spot, spec, preprocess, issues, suspects, gradCams, thresholds, notes)
        {
            Walkthroughs = WalkthroughResults.Load(run.Dir),
            Robustness = robustness,
            RobustnessPng = robustness is null ? null : Evaluation.Robustness.RobustnessOutput.RenderPng(robustness),
        };
    }

    private static async Task<List<SpotCheck>> SpotChecksAsync(ClassifierModel model, IReadOnlyList<LabeledImage> items, RunReportOptions o, CancellationToken ct)
    {
        // Test images when there are any (honest), else validation, else whatever exists.
        var pool = items.Where(i => i.Split == Split.Test).ToList();
        if (pool.Count == 0) pool = items.Where(i => i.Split == Split.Val).ToList();
        if (pool.Count == 0) pool = items.ToList();
        var rng = new Random(o.Seed);
        var picked = pool.GroupBy(i => i.Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(i => i.Path, StringComparer.Ordinal).OrderBy(_ => rng.Next()).Take(o.SpotChecksPerLabel)).ToList();
        var answers = new List<ClassifyResult>();
        await foreach (var r in model.ClassifyFilesAsync(picked.Select(i => i.Path).ToList(), top: 1, ct: ct)) answers.Add(r);
        return picked.Select((item, k) => (item, r: answers[k]))
            .GroupBy(t => t.item.Label, StringComparer.Ordinal)
            .Select(g => new SpotCheck(g.Key, g.Select(t =>
            {
                string answer = t.r.Ok ? $"{t.r.Label} ({t.r.Top!.Score:0.00})" : "unreadable";
                return Thumb(t.item.Path, o.ThumbnailSize, answer, t.item.Path, !t.r.Ok || t.r.Label != t.item.Label);
            }).OfType<ReportImage>().ToList()))
            .ToList();
    }

    private const int PreviewWidth = 192;

    private static List<PreprocessPair> Preprocess(IReadOnlyList<LabeledImage> items, PreprocessSpec spec, RunReportOptions o)
    {
        var pairs = new List<PreprocessPair>();
        foreach (var item in items.GroupBy(i => i.Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                     .Select(g => g.OrderBy(i => i.Path, StringComparer.Ordinal).First()).Take(o.PreprocessSamples))
        {
            try
            {
                var (w, h) = ImageLoader.ReadSize(item.Path);
                var original = Thumb(item.Path, Math.Min(2 * o.ThumbnailSize, Math.Max(w, h)), $"{item.Label}: stored {w}x{h}", item.Path);
                var input = ImageLoader.Load(item.Path, spec);
                if (original is null) continue;
                pairs.Add(new PreprocessPair(original with { DisplayWidth = PreviewWidth }, new ReportImage("image/png", ImageEncoding.Png(input),
                    $"model input {spec.Width}x{spec.Height} ({spec.Resize})", item.Path, DisplayWidth: PreviewWidth)));
            }
            catch (ImageDecodeException) { }
        }
        return pairs;
    }

    private static List<ReportImage> GradCams(string modelPath, ClassifierModel model, EvaluationReport? test, RunReportOptions o, List<string> notes)
    {
        var wrong = (test?.TopLosses ?? []).Where(t => t.Label != t.Predicted && File.Exists(t.Path)).Take(o.GradCams).ToList();
        if (wrong.Count == 0 || o.GradCams == 0) return [];
        var result = new List<ReportImage>();
        try
        {
            var onnx = OnnxReader.Load(modelPath);
            var labels = model.Labels.ToList();
            foreach (var t in wrong)
            {
                var image = ImageLoader.Load(t.Path, model.Spec);
                var map = GradCam.Compute(onnx, image, labels.IndexOf(t.Predicted));
                result.Add(new ReportImage("image/jpeg", ImageEncoding.Jpeg(HeatmapOverlay.Blend(image, map)),
                    $"{t.Label} → {t.Predicted}: where '{t.Predicted}' was seen", t.Path, true));
            }
        }
        catch (Exception e) when (e is LookoutException or NotSupportedException or InvalidDataException or ImageDecodeException)
        {
            notes.Add($"Grad-CAM unavailable for this model: {e.Message}");
        }
        return result;
    }

    private static ReportImage? Thumb(string path, int size, string caption, string? detail = null, bool flagged = false)
    {
        try { return new ReportImage("image/jpeg", ImageEncoding.Jpeg(ImageEncoding.Thumbnail(path, size)), caption, detail, flagged); }
        catch (ImageDecodeException) { return null; }
    }
}

using Lookout.Core.Evaluation.Explain;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Studio.Results;

namespace Lookout.Core.Studio.Trying;

/// <summary>
/// A run's answer for one picture the user brings: the top classes, the verdict (a class, or "unknown" when the
/// calibrated thresholds refuse it or "none of these" wins, exactly as /v1/classify decides), and a Grad-CAM overlay
/// (PNG, at the model's input size) of the class it explains. <see cref="GradCamError"/> says why there is no overlay.
/// </summary>
public sealed record TryAnswer(string Run, string Answer, bool Unknown, string? Reason, IReadOnlyList<Prediction> Predictions,
    string Explained, byte[]? GradCamPng, string? GradCamError);

/// <summary>"Try it": runs a project's model (a given run, or the newest with a model) on uploaded bytes.</summary>
public static class TryModel
{
    public const int MaxTop = 20;

    public static Task<TryAnswer> RunAsync(StudioProject project, string? run, byte[] image, int top = 5, ImageLimits? limits = null, CancellationToken ct = default) =>
        Task.Run(() => Run(project, run, image, Math.Clamp(top, 1, MaxTop), limits, ct), ct);

    /// <summary>The model file of a run ("latest" or null: the newest run whose model is a classifier).</summary>
    public static (string Run, string Path) Resolve(StudioProject project, string? run)
    {
        if (run is null or "latest")
        {
            var current = CurrentModel.Find(project) ?? throw new StudioException("no run has a model yet: train one first", StudioProblem.NotFound);
            return (current.Run, current.ModelPath);
        }
        var folder = RunResultsReader.Open(project, run);
        if (!File.Exists(folder.ModelPath)) throw new StudioException($"run '{run}' has no model", StudioProblem.NotFound);
        if (Inference.Detectors.DetectorModel.TrainedPath(folder.ModelPath) is not null)
            throw new StudioException($"run '{run}' is a detector: try it with 'lookout detect --model {run}' or /v1/detect", StudioProblem.Conflict);
        return (folder.Id, folder.ModelPath);
    }

    private static TryAnswer Run(StudioProject project, string? run, byte[] bytes, int top, ImageLimits? limits, CancellationToken ct)
    {
        var (id, path) = Resolve(project, run);
        ClassifierModel model;
        try { model = ClassifierModel.Load(path); }
        catch (InvalidDataException e) { throw new StudioException($"run '{id}' has no classifier to try: {e.Message.Replace(path, "model.onnx")}", StudioProblem.Conflict); }
        using (model)
        {
            RgbImage image;
            try { image = ImageLoader.Load(bytes, model.Spec, limits, "picture"); }
            catch (ImageDecodeException e) { throw new StudioException($"not a picture Lookout can read: {e.Reason}", StudioProblem.Unsupported); }
            var result = model.ClassifyImage(image, top, "picture");
            var best = result.Top ?? throw new StudioException("the model gave no answer");
            ct.ThrowIfCancellationRequested();
            byte[]? png = null;
            string? error = null;
            try
            {
                var map = GradCam.Compute(OnnxReader.Load(path), image, model.Labels.ToList().IndexOf(best.Label));
                png = HeatmapOverlay.EncodePng(HeatmapOverlay.Blend(image, map));
            }
            catch (LookoutException e) { error = e.Message; }
            var answer = result.Unknown ? Inference.Rejection.RejectionThresholds.UnknownLabel : best.Label;
            return new TryAnswer(id, answer, result.Unknown, result.Rejection is { Unknown: true } r ? r.Reason : null,
                result.Predictions, best.Label, png, error);
        }
    }
}

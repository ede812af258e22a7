using Lookout.Core.Evaluation.Explain;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Pipelines.Explain;

/// <summary>Explain one image: the class to explain (default: the predicted one) and where the overlay goes (default: beside the image).</summary>
public sealed record ExplainRequest(string ModelPath, string ImagePath)
{
    public string? Class { get; init; }
    public string? OverlayPath { get; init; }
}

/// <summary>The explained class and its score, what the model predicted, the overlay PNG, and the hottest pixel of the map.</summary>
public sealed record ExplainResult(string Image, string Class, float Score, string Predicted, float PredictedScore, string Overlay,
    int PeakX, int PeakY, int Width, int Height);

/// <summary>
/// <c>explain</c>: a Grad-CAM overlay PNG showing which part of the image drove the score of a class, computed on the
/// exported model itself (the "why is a goat Mila?" question).
/// </summary>
public static class ExplainPipeline
{
    public static Task<ExplainResult> RunAsync(ExplainRequest request, IPipelineObserver? observer = null, CancellationToken ct = default) =>
        Task.Run(() => Run(request, ct), ct);

    private static ExplainResult Run(ExplainRequest request, CancellationToken ct)
    {
        using var classifier = ClassifierModel.Load(request.ModelPath);
        var image = ImageLoader.Load(request.ImagePath, classifier.Spec);
        var probs = classifier.Probabilities([image])[0];
        var predicted = Prediction.Rank(classifier.Labels, probs, 1)[0];
        var target = request.Class ?? predicted.Label;
        int index = classifier.Labels.ToList().IndexOf(target);
        if (index < 0) throw new LookoutException($"unknown class '{target}'; the model knows: {string.Join(", ", classifier.Labels)}");

        ct.ThrowIfCancellationRequested();
        var map = GradCam.Compute(OnnxReader.Load(request.ModelPath), image, index);
        var overlay = Path.GetFullPath(request.OverlayPath ?? Path.ChangeExtension(request.ImagePath, ".gradcam.png"));
        HeatmapOverlay.SavePng(image, map, overlay);
        var (px, py) = map.Peak();
        return new ExplainResult(Path.GetFullPath(request.ImagePath), target, probs[index], predicted.Label, predicted.Score, overlay,
            px, py, image.Width, image.Height);
    }
}

using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Rejection;

namespace Lookout.Core.Video.Analysis;

/// <summary>
/// Whole-frame classification with an exported classifier: the frame is fitted to the model's
/// <see cref="PreprocessSpec"/> by <see cref="FrameFitter"/> (the same libvips resize policy as image files) and run
/// through <see cref="ClassifierModel"/>, so a frame scores exactly like the same pixels classified as an image.
/// </summary>
public sealed class ClassifierFrameAnalyzer(ClassifierModel model, bool ownsModel = true) : IFrameAnalyzer
{
    public static ClassifierFrameAnalyzer Load(string onnxPath) => new(ClassifierModel.Load(onnxPath));

    public string Name => $"classifier:{Path.GetFileName(model.ModelPath)}";
    /// <summary>The model's classes, plus <c>unknown</c> when it is calibrated to reject what it does not know.</summary>
    public IReadOnlyList<string> Labels { get; } = model.Thresholds is null ? model.Labels : [.. model.Labels, RejectionThresholds.UnknownLabel];
    public AnalyzerKinds Kinds => AnalyzerKinds.Classifier;
    public ClassifierModel Model => model;

    /// <summary>
    /// All classes ranked; a frame the calibrated model rejects is only <c>unknown</c> (with the best class's score),
    /// so a rule for "mila" never fires on a goat the model would otherwise have called mila.
    /// </summary>
    public FrameAnalysis Analyze(RgbImage frame) => AnalyzeMany([frame])[0];

    /// <summary>Frames of several cameras in one forward pass.</summary>
    public IReadOnlyList<FrameAnalysis> AnalyzeMany(IReadOnlyList<RgbImage> frames) =>
        model.ClassifyImages(frames.Select(f => FrameFitter.Fit(f, model.Spec)).ToList(), model.Labels.Count).Select(ToAnalysis).ToList();

    private static FrameAnalysis ToAnalysis(ClassifyResult result)
    {
        IReadOnlyList<Prediction> predictions = result.Unknown
            ? [new Prediction(RejectionThresholds.UnknownLabel, result.Top!.Score)]
            : result.Predictions;
        return new FrameAnalysis(predictions, [], []);
    }

    public void Dispose()
    {
        if (ownsModel) model.Dispose();
    }
}

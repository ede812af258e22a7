using Lookout.Core.Imaging;
using Lookout.Core.Inference;

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
    public IReadOnlyList<string> Labels => model.Labels;
    public AnalyzerKinds Kinds => AnalyzerKinds.Classifier;
    public ClassifierModel Model => model;

    public FrameAnalysis Analyze(RgbImage frame)
    {
        var fitted = FrameFitter.Fit(frame, model.Spec);
        var probs = model.Probabilities([fitted])[0];
        return new FrameAnalysis(model.TopK(probs, model.Labels.Count), [], []);
    }

    public void Dispose()
    {
        if (ownsModel) model.Dispose();
    }
}

using Lookout.Core.Imaging;

namespace Lookout.Core.Video.Analysis;

/// <summary>
/// Whole-frame classification: the frame is fitted to the model's <see cref="PreprocessSpec"/> with
/// <see cref="FrameFitter"/> (the same resize policy as image files) and run through the classifier, so a frame
/// scores exactly like the same pixels classified as an image.
/// </summary>
public sealed class ClassifierFrameAnalyzer(IImageClassifier classifier, bool ownsClassifier = true) : IFrameAnalyzer
{
    public string Name => $"classifier:{classifier.Name}";
    public IReadOnlyList<string> Labels => classifier.Labels;
    public AnalyzerKinds Kinds => AnalyzerKinds.Classifier;
    public PreprocessSpec Spec => classifier.Spec;

    public FrameAnalysis Analyze(RgbImage frame)
    {
        var fitted = FrameFitter.Fit(frame, classifier.Spec);
        var probs = classifier.Predict([fitted])[0];
        return new FrameAnalysis(ToPredictions(classifier.Labels, probs), [], []);
    }

    /// <summary>All labels with their probabilities, highest first (ties keep label order).</summary>
    public static IReadOnlyList<Prediction> ToPredictions(IReadOnlyList<string> labels, float[] probs)
    {
        if (probs.Length != labels.Count)
            throw new InvalidDataException($"the model returned {probs.Length} scores for {labels.Count} labels");
        return labels.Select((l, i) => new Prediction(l, probs[i]))
            .OrderByDescending(p => p.Score).ToArray();
    }

    public void Dispose()
    {
        if (ownsClassifier) classifier.Dispose();
    }
}

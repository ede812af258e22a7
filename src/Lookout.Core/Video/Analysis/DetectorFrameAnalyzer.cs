using Lookout.Core.Imaging;
using Lookout.Core.Inference;

namespace Lookout.Core.Video.Analysis;

/// <summary>
/// What the video and watch paths need from an object detector: boxes (normalised) for a full-size frame.
/// The detector service implements this (or gets a two-line adapter); nothing else here depends on how it decodes.
/// Implementations must be thread-safe.
/// </summary>
public interface IObjectDetector : IDisposable
{
    string Name { get; }
    IReadOnlyList<string> Labels { get; }
    IReadOnlyList<Detection> Detect(RgbImage frame);
}

/// <summary>Boxes from an <see cref="IObjectDetector"/>, optionally only at or above a score (detectors emit many weak boxes).</summary>
public sealed class DetectorFrameAnalyzer(IObjectDetector detector, float minScore = 0.2f, bool ownsDetector = true) : IFrameAnalyzer
{
    public string Name => $"detector:{detector.Name}";
    public IReadOnlyList<string> Labels => detector.Labels;
    public AnalyzerKinds Kinds => AnalyzerKinds.Detector;

    public FrameAnalysis Analyze(RgbImage frame) =>
        new([], detector.Detect(frame).Where(d => d.Score >= minScore).OrderByDescending(d => d.Score).ToArray(), []);

    public void Dispose()
    {
        if (ownsDetector) detector.Dispose();
    }
}

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

    /// <summary>Several frames at once, results in order; detectors whose model takes batches run one forward pass.</summary>
    IReadOnlyList<IReadOnlyList<Detection>> DetectMany(IReadOnlyList<RgbImage> frames) => frames.Select(Detect).ToList();
}

/// <summary>Boxes from an <see cref="IObjectDetector"/>, optionally only at or above a score (detectors emit many weak boxes).</summary>
public sealed class DetectorFrameAnalyzer(IObjectDetector detector, float minScore = 0.2f, bool ownsDetector = true) : IFrameAnalyzer
{
    public string Name => $"detector:{detector.Name}";
    public IReadOnlyList<string> Labels => detector.Labels;
    public AnalyzerKinds Kinds => AnalyzerKinds.Detector;

    public FrameAnalysis Analyze(RgbImage frame) => ToAnalysis(detector.Detect(frame));

    /// <summary>One forward pass for all the frames when the detector takes batches (cameras sharing a pass).</summary>
    public IReadOnlyList<FrameAnalysis> AnalyzeMany(IReadOnlyList<RgbImage> frames) => detector.DetectMany(frames).Select(ToAnalysis).ToList();

    private FrameAnalysis ToAnalysis(IReadOnlyList<Detection> found) =>
        new([], found.Where(d => d.Score >= minScore).OrderByDescending(d => d.Score).ToArray(), []);

    public void Dispose()
    {
        if (ownsDetector) detector.Dispose();
    }
}

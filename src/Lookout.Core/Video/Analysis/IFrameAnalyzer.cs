using Lookout.Core.Imaging;

namespace Lookout.Core.Video.Analysis;

/// <summary>
/// Turns a full-size video frame into typed observations. The one interface video timelines and the watcher
/// depend on; classifiers, detectors and face matchers plug in through adapters. Implementations must be
/// thread-safe for concurrent <see cref="Analyze"/> calls.
/// </summary>
public interface IFrameAnalyzer : IDisposable
{
    /// <summary>Short name for logs and reports, e.g. "classifier:model.onnx".</summary>
    string Name { get; }

    /// <summary>Every label this analyzer can produce (used to validate rules before any frame runs).</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>What kinds of observations it fills in.</summary>
    AnalyzerKinds Kinds { get; }

    FrameAnalysis Analyze(RgbImage frame);

    /// <summary>
    /// Several frames (e.g. one per camera) at once, results in order. Analyzers whose model takes batches override
    /// this with one forward pass; the default analyses the frames one after another.
    /// </summary>
    IReadOnlyList<FrameAnalysis> AnalyzeMany(IReadOnlyList<RgbImage> frames) => frames.Select(Analyze).ToList();
}

[Flags]
public enum AnalyzerKinds
{
    None = 0,
    Classifier = 1,
    Detector = 2,
    Faces = 4,
}

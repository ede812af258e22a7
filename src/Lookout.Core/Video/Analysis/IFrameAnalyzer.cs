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
}

[Flags]
public enum AnalyzerKinds
{
    None = 0,
    Classifier = 1,
    Detector = 2,
    Faces = 4,
}

using Lookout.Core.Imaging;

namespace Lookout.Core.Video.Analysis;

/// <summary>
/// A classifier that takes images already fitted to its <see cref="Spec"/> and returns one probability row per
/// image (same order as <see cref="Labels"/>). Adapters wrap the exported-model loader behind this.
/// </summary>
public interface IImageClassifier : IDisposable
{
    string Name { get; }
    IReadOnlyList<string> Labels { get; }
    PreprocessSpec Spec { get; }
    float[][] Predict(IReadOnlyList<RgbImage> fitted);
}

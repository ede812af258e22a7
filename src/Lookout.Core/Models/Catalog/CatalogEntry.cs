using Lookout.Core.Imaging;
using Lookout.Core.Models.TfJs;

namespace Lookout.Core.Models.Catalog;

public enum ModelTask { Backbone, Detector, FaceDetector, FaceDescriptor }

/// <summary>A model's licence as far as it is known; only <see cref="Clean"/> models may be defaults.</summary>
public sealed record ModelLicence(string Name, bool Clean, string Text);

/// <summary>
/// A known pretrained model: where it comes from, its licence, the TF.js file it is converted from, the preprocessing
/// its converted graph bakes in (<see cref="Preprocess"/>: the uint8 <c>image</c> input is resized per this spec by the
/// caller), and the outputs it exposes. Backbones expose exactly one output, <c>embedding</c> [N, EmbeddingSize].
/// </summary>
public sealed record CatalogEntry(
    string Name,
    ModelTask Task,
    string Description,
    string SourceUrl,
    ModelLicence Licence,
    string TfJsFile,
    PreprocessSpec Preprocess,
    IReadOnlyList<TfJsOutput> Outputs,
    int? EmbeddingSize = null)
{
    public int InputSize => Preprocess.Width;

    /// <summary>The TF node a backbone is cut at (null for full models).</summary>
    public string? CutNode => Task == ModelTask.Backbone ? Outputs.Single(o => o.SpatialMean).Node : null;

    public TfJsConversionOptions ConversionOptions() => new()
    {
        Outputs = Outputs,
        InputHeight = Preprocess.Height,
        InputWidth = Preprocess.Width,
        Preprocess = Preprocess,
        GraphName = Name,
    };
}

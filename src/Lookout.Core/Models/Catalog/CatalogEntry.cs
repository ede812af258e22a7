using Lookout.Core.Imaging;
using Lookout.Core.Models.TfJs;

namespace Lookout.Core.Models.Catalog;

public enum ModelTask { Backbone, Detector, FaceDetector, FaceDescriptor }

/// <summary>A model's licence as far as it is known; only <see cref="Clean"/> models may be defaults.</summary>
public sealed record ModelLicence(string Name, bool Clean, string Text);

/// <summary>
/// A known pretrained model: where it comes from, its licence, what it is converted from (<see cref="Source"/>: a TF.js
/// graph or an ONNX file in a NuGet package), the preprocessing its converted graph bakes in (<see cref="Preprocess"/>:
/// the uint8 <c>image</c> input is resized per this spec by the caller), and the outputs it exposes. Backbones expose
/// exactly one output, <c>embedding</c> [N, EmbeddingSize].
/// </summary>
public sealed record CatalogEntry(
    string Name,
    ModelTask Task,
    string Description,
    string SourceUrl,
    ModelLicence Licence,
    ModelSource Source,
    PreprocessSpec Preprocess,
    int? EmbeddingSize = null)
{
    public int InputSize => Preprocess.Width;

    private TfJsSource TfJs => Source as TfJsSource
        ?? throw new InvalidOperationException($"{Name} is not converted from TF.js.");

    /// <summary>The TF.js model.json file (TF.js sources only).</summary>
    public string TfJsFile => TfJs.File;

    /// <summary>The TF node a TF.js backbone is cut at (null for full models and other sources).</summary>
    public string? CutNode => Task == ModelTask.Backbone && Source is TfJsSource t ? t.Outputs.Single(o => o.SpatialMean).Node : null;

    public TfJsConversionOptions ConversionOptions() => new()
    {
        Outputs = TfJs.Outputs,
        InputHeight = Preprocess.Height,
        InputWidth = Preprocess.Width,
        Preprocess = Preprocess,
        GraphName = Name,
    };
}

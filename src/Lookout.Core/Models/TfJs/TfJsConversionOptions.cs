using Lookout.Core.Imaging;

namespace Lookout.Core.Models.TfJs;

/// <summary>
/// One ONNX output: TF node <see cref="Node"/> (":N" selects another output of it) exposed as <see cref="Name"/>.
/// With <see cref="SpatialMean"/> the 4-D activation goes through GlobalAveragePool + Flatten to [N, C];
/// <see cref="ChannelAxis"/> says where the channels are in the TF tensor (3 for NHWC graphs, 1 for NCHW ones).
/// </summary>
public sealed record TfJsOutput(string Node, string Name, bool SpatialMean = false, int ChannelAxis = 3)
{
    /// <summary>The feature-extractor cut: node -> GlobalAveragePool -> Flatten -> "embedding" [N, D].</summary>
    public static TfJsOutput Embedding(string node, int channelAxis = 3) => new(node, "embedding", true, channelAxis);
}

/// <summary>What to convert and how the converted graph is fed.</summary>
public sealed record TfJsConversionOptions
{
    /// <summary>Outputs to keep; everything they do not depend on is dropped (this is how backbones are cut).</summary>
    public required IReadOnlyList<TfJsOutput> Outputs { get; init; }

    /// <summary>Overrides the Placeholder's spatial size (fully convolutional backbones); null keeps the model's.</summary>
    public int? InputHeight { get; init; }
    public int? InputWidth { get; init; }

    /// <summary>
    /// When set, the graph starts with the uint8 <c>image</c> [N,H,W,3] RGB input and this normalisation
    /// (<see cref="Onnx.ImageInputPrologue"/>); its Width/Height must equal the input size. When null, the input is
    /// float, named <see cref="FloatInputName"/>, in the TF model's own layout and value range.
    /// </summary>
    public PreprocessSpec? Preprocess { get; init; }

    public string FloatInputName { get; init; } = "input";

    /// <summary>Graph name written into the ONNX file.</summary>
    public string GraphName { get; init; } = "tfjs";
}

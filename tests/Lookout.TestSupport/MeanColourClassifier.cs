using System.Text.Json;
using Lookout.Core;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Models;
using Lookout.Core.Models.Onnx;

namespace Lookout.TestSupport;

/// <summary>
/// A tiny, fully known classifier in the exported-model contract: softmax(mean RGB (0..1) x W + b), with the mean
/// colour as its <c>embedding</c> output. Tests of every inference path (server, video, watch) use it because
/// its answer for a solid colour is predictable by hand.
/// </summary>
public static class MeanColourClassifier
{
    /// <param name="weights">[3, labels] row-major: rows are R, G, B.</param>
    /// <param name="thresholds">Calibrated "unknown" thresholds to embed (over the 3-d mean colour), or null.</param>
    /// <param name="betweenLogitsAndSoftmax">Adds nodes on the logits' way to the softmax (a test's broken model); answers their output.</param>
    public static OnnxModel Build(IReadOnlyList<string> labels, PreprocessSpec spec, float[] weights, float[] bias, RejectionThresholds? thresholds = null,
        Func<OnnxGraphBuilder, string, string>? betweenLogitsAndSoftmax = null)
    {
        int c = labels.Count;
        if (weights.Length != 3 * c || bias.Length != c)
            throw new ArgumentException($"weights must be [3,{c}] and bias [{c}]");
        var b = new OnnxGraphBuilder();
        var x = ImageInputPrologue.Append(b, spec);
        var pooled = b.Node("GlobalAveragePool", [x]);
        b.NodeNamed("Flatten", [pooled], [ModelMetadata.EmbeddingOutput], OnnxAttribute.Of("axis", 1L));
        var logits = b.Node("Gemm", [ModelMetadata.EmbeddingOutput, b.Floats("w", weights, 3, c), b.Floats("b", bias, c)]);
        if (betweenLogitsAndSoftmax is not null) logits = betweenLogitsAndSoftmax(b, logits);
        b.NodeNamed("Softmax", [logits], [ModelMetadata.ProbsOutput], OnnxAttribute.Of("axis", 1L));
        b.Output(ModelMetadata.ProbsOutput, OnnxDataType.Float, "N", c);
        b.Output(ModelMetadata.EmbeddingOutput, OnnxDataType.Float, "N", 3);
        var model = new OnnxModel { Graph = b.Graph };
        model.Metadata[ModelMetadata.Labels] = JsonSerializer.Serialize(labels);
        model.Metadata[ModelMetadata.Preprocess] = spec.ToJson();
        model.Metadata[ModelMetadata.Backbone] = "mean-colour";
        model.Metadata[ModelMetadata.Version] = CodeVersion.Current;
        if (thresholds is not null) model.Metadata[ModelMetadata.Thresholds] = thresholds.ToJson();
        return model;
    }

    /// <summary>Thresholds that accept a class only at probability and colour-cosine to <paramref name="centroids"/> at least <paramref name="min"/>.</summary>
    public static RejectionThresholds Thresholds(IReadOnlyList<string> labels, float[][] centroids, float min = 0.9f) =>
        new(RejectionThresholds.MethodName, 0.95, 30, [0f, 0f, 0f], [1f, 1f, 1f],
            labels.Select((l, i) => new ClassThreshold(l, min, min, 10, centroids[i])).ToList());
}

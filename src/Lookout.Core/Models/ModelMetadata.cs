namespace Lookout.Core.Models;

/// <summary>(contract) metadata_props keys of an exported Lookout classifier.</summary>
public static class ModelMetadata
{
    public const string Labels = "lookout.labels";
    public const string Preprocess = "lookout.preprocess";
    public const string Backbone = "lookout.backbone";
    public const string Run = "lookout.run";
    public const string Version = "lookout.version";
    public const string Thresholds = "lookout.thresholds";
    /// <summary>"int8" for a QDQ-quantized model (<c>export --int8</c>); absent or "fp32" for float weights.</summary>
    public const string Precision = "lookout.precision";
    /// <summary>JSON of the int8 decision: calibration images, accuracy and speed of both precisions, which was kept.</summary>
    public const string Quantization = "lookout.quantization";

    /// <summary>Output name of an exported classifier: softmax probabilities [N, C].</summary>
    public const string ProbsOutput = "probs";

    /// <summary>Second output of an exported classifier: the backbone embedding [N, D] (for "unknown" and similarity).</summary>
    public const string EmbeddingOutput = "embedding";
}

using Lookout.Core.IO;
using System.Text.Json;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.Heads;

namespace Lookout.Core.Export;

/// <summary>
/// Writes the one-file classifier: the backbone graph as is (uint8 <c>image</c> in, normalisation in-graph), the
/// head with standardisation folded into its first Gemm, and Softmax to <c>probs</c> [N,C], plus the metadata every
/// inference path reads. Because the backbone part is byte-for-byte the graph training embedded with, serving
/// sees exactly the features the head was trained on. <see cref="Export"/> splices the head onto the backbone file's
/// bytes (its weights are copied, not decoded: bench <c>export</c>); <see cref="Build"/> gives the same model decoded.
/// </summary>
public static class ExportService
{
    /// <param name="thresholds">Calibrated "unknown" thresholds, stored as <c>lookout.thresholds</c> when given.</param>
    public static OnnxModel Build(Backbone backbone, HeadWeights head, string runId, RejectionThresholds? thresholds = null)
    {
        var model = OnnxReader.Load(backbone.OnnxPath);
        AddHead(model, new OnnxGraphBuilder(model.Graph, "head/"), backbone, head, runId, thresholds);
        return model;
    }

    /// <summary>Writes the classifier atomically to <paramref name="path"/>: the head, outputs and metadata spliced onto the backbone file.</summary>
    public static void Export(Backbone backbone, HeadWeights head, string runId, string path, RejectionThresholds? thresholds = null)
    {
        var backboneBytes = File.ReadAllBytes(backbone.OnnxPath);
        // The backbone without nodes and weights (header, opsets, metadata, inputs, outputs) gets the head as Build
        // adds it; the backbone's nodes and weights are then copied in front of the head's.
        var shell = OnnxReader.ParseSignature(backboneBytes);
        var builder = new OnnxGraphBuilder(shell.Graph, "head/").Reserve(OnnxSplice.UsedNames(backboneBytes));
        AddHead(shell, builder, backbone, head, runId, thresholds);
        var extension = OnnxWriter.Serialize(shell);
        AtomicFile.Write(path, stream => OnnxSplice.Splice(backboneBytes, extension, stream));
    }

    private static void AddHead(OnnxModel model, OnnxGraphBuilder b, Backbone backbone, HeadWeights head, string runId, RejectionThresholds? thresholds)
    {
        if (head.InputDim != backbone.EmbeddingDim)
            throw new ArgumentException($"Head expects {head.InputDim}-d input but backbone {backbone.Id} gives {backbone.EmbeddingDim}-d.", nameof(head));
        var g = model.Graph;
        // probs stays the first output (what plain ONNX users and Grad-CAM read); the embedding follows it, so
        // inference can measure the distance to the class centroids without a second model.
        var embeddingOutput = g.Outputs.Single(o => o.Name == Backbone.OutputName);
        g.Outputs.Remove(embeddingOutput);

        string x = Backbone.OutputName;
        var layers = head.FoldedLayers();
        for (int i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            if (i > 0) x = b.Node("Relu", [x]);
            var w = b.Floats($"fc{i}_w", l.Weight, l.Out, l.In);
            var bias = b.Floats($"fc{i}_b", l.Bias, l.Out);
            x = b.Node("Gemm", [x, w, bias], OnnxAttribute.Of("transB", 1L));
        }
        b.NodeNamed("Softmax", [x], [ModelMetadata.ProbsOutput], OnnxAttribute.Of("axis", 1L));
        b.Output(ModelMetadata.ProbsOutput, OnnxDataType.Float, "N", head.Labels.Count);
        g.Outputs.Add(embeddingOutput);
        g.Name = $"lookout-{runId}";

        model.ProducerName = "lookout";
        model.ProducerVersion = CodeVersion.Version;
        model.Metadata[ModelMetadata.Labels] = JsonSerializer.Serialize(head.Labels);
        model.Metadata[ModelMetadata.Preprocess] = backbone.Spec.ToJson();
        model.Metadata[ModelMetadata.Backbone] = backbone.Id;
        model.Metadata[ModelMetadata.Run] = runId;
        model.Metadata[ModelMetadata.Version] = CodeVersion.Current;
        if (thresholds is not null)
        {
            if (thresholds.Dim != head.InputDim || !thresholds.Classes.Select(c => c.Label).SequenceEqual(head.Labels))
                throw new ArgumentException("Thresholds were calibrated for another head (labels or dimension differ).", nameof(thresholds));
            model.Metadata[ModelMetadata.Thresholds] = thresholds.ToJson();
        }
    }
}

using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.Quantization;

/// <summary>
/// Gathers activation ranges with ONNX Runtime itself: a copy of the model that also outputs every tensor to be
/// quantized runs over the calibration images (the user's own validation photos), and each tensor's min and max are kept.
/// Using the runtime that will serve the model means the ranges are those of the kernels that run, fusions included.
/// </summary>
public static class ActivationCalibrator
{
    public static ActivationRanges Collect(OnnxModel model, IReadOnlyList<RgbImage> images, IReadOnlyList<string> tensors, int batchSize = 4)
    {
        if (images.Count == 0) throw new LookoutException("int8 calibration needs at least one image (the run's validation split is empty)");
        var spec = PreprocessSpec.FromJson(model.Metadata[ModelMetadata.Preprocess]);
        var exposed = Exposed(model, tensors);
        var path = Path.Combine(Path.GetTempPath(), $"lookout-calibrate-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxWriter.Save(exposed, path);
            using var runner = new OnnxImageRunner(path, tensors[0], spec, new OnnxRunnerOptions { BatchSize = batchSize });
            var ranges = new ActivationRanges();
            for (int start = 0; start < images.Count; start += batchSize)
                foreach (var perImage in runner.RunOutputs(images.Skip(start).Take(batchSize).ToList(), tensors))
                    ranges.Observe(tensors, perImage);
            return ranges;
        }
        finally { File.Delete(path); }
    }

    /// <summary>The same graph with <paramref name="tensors"/> added to its outputs (float, shape left to the runtime).</summary>
    private static OnnxModel Exposed(OnnxModel model, IReadOnlyList<string> tensors)
    {
        var graph = new OnnxGraph { Name = model.Graph.Name };
        graph.Nodes.AddRange(model.Graph.Nodes);
        graph.Initializers.AddRange(model.Graph.Initializers);
        graph.Inputs.AddRange(model.Graph.Inputs);
        graph.Outputs.AddRange(model.Graph.Outputs);
        var existing = graph.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var t in tensors.Where(t => !existing.Contains(t))) graph.Outputs.Add(new OnnxValueInfo(t, OnnxDataType.Float, null));
        var copy = new OnnxModel { IrVersion = model.IrVersion, ProducerName = model.ProducerName, ProducerVersion = model.ProducerVersion, Graph = graph };
        copy.Opsets.Clear();
        copy.Opsets.AddRange(model.Opsets);
        foreach (var (k, v) in model.Metadata) copy.Metadata[k] = v;
        return copy;
    }
}

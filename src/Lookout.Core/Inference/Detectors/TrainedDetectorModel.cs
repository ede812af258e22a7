using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Models;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Inference.Detectors;

/// <summary>
/// A detector trained by <c>lookout train --task detect</c>: a NanoDet graph sized to the user's classes, exported as
/// one ONNX file whose metadata says <c>lookout.task</c> = detect and carries <c>lookout.labels</c> (class order) and
/// <c>lookout.preprocess</c> (input size and resize mode: letterboxed since it was introduced, stretched before; uint8 RGB in). Files exported since the in-graph decode carry
/// <c>lookout.postprocess</c> and answer final boxes (<see cref="InGraphDetectionRunner"/>); older run files output
/// NanoDet's raw heads, which still decode here with <see cref="NanoDetDecoder"/> like the COCO model.
/// </summary>
public sealed class TrainedDetectorModel : DetectorModel
{
    public const string TaskKey = "lookout.task";
    public const string TaskValue = "detect";
    /// <summary>Present (a JSON description of the outputs) when the graph decodes and applies NMS itself.</summary>
    public const string PostprocessKey = "lookout.postprocess";

    private TrainedDetectorModel(string path, IReadOnlyList<string> labels, PreprocessSpec spec, bool decodesInGraph)
    {
        Path = path;
        DecodesInGraph = decodesInGraph;
        Labels = labels;
        Entry = new CatalogEntry(System.IO.Path.GetFileNameWithoutExtension(path) is "model" ? System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))) ?? "model" : System.IO.Path.GetFileNameWithoutExtension(path),
            ModelTask.Detector, $"Detector trained on your boxes: {string.Join(", ", labels)}", System.IO.Path.GetFullPath(path), Own,
            new TrainedOnnxSource(System.IO.Path.GetFullPath(path), decodesInGraph ? InGraphDetectionRunner.OutputNames : NanoDetOutputs), spec);
    }

    public static readonly ModelLicence Own = new("own", true, "Trained by you from NanoDet (Apache-2.0) on your own images.");

    public string Path { get; }
    public override IReadOnlyList<string> Labels { get; }
    public override CatalogEntry Entry { get; }
    private static readonly string[] NanoDetOutputs = ["cls_s8", "cls_s16", "cls_s32", "reg_s8", "reg_s16", "reg_s32"];
    public override IReadOnlyList<string> OutputNames => DecodesInGraph ? InGraphDetectionRunner.OutputNames : NanoDetOutputs;

    /// <summary>True when the file's graph outputs final boxes (decode and NMS inside); false for older raw-head files.</summary>
    public bool DecodesInGraph { get; }

    public override List<RawDetection> Decode(float[][] outputs, float minScore)
    {
        if (DecodesInGraph) throw new InvalidOperationException($"{Path} decodes in its graph: run it with {nameof(InGraphDetectionRunner)}");
        var all = new List<RawDetection>();
        for (int level = 0; level < 3; level++)
            all.AddRange(NanoDetDecoder.DecodeLevel(outputs[level], outputs[level + 3], Labels.Count, Entry.InputSize, minScore));
        return all;
    }

    /// <summary>True when the file's metadata marks it as a trained detector.</summary>
    public static bool IsDetectorFile(string path)
    {
        if (!File.Exists(path) || !path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) return false;
        try { return OnnxReader.ReadMetadata(path).GetValueOrDefault(TaskKey) == TaskValue; }
        catch (Exception e) when (e is not OutOfMemoryException) { return false; }
    }

    public static TrainedDetectorModel Open(string path)
    {
        var meta = OnnxReader.ReadMetadata(path);
        if (meta.GetValueOrDefault(TaskKey) != TaskValue) throw new LookoutException($"{path} is not a Lookout detector (metadata {TaskKey} is not '{TaskValue}')");
        var labels = JsonSerializer.Deserialize<List<string>>(meta.GetValueOrDefault(ModelMetadata.Labels) ?? "null")
            ?? throw new LookoutException($"{path} has no {ModelMetadata.Labels} metadata");
        var spec = PreprocessSpec.FromJson(meta.GetValueOrDefault(ModelMetadata.Preprocess)
            ?? throw new LookoutException($"{path} has no {ModelMetadata.Preprocess} metadata"));
        return new TrainedDetectorModel(path, labels, spec, meta.ContainsKey(PostprocessKey));
    }
}

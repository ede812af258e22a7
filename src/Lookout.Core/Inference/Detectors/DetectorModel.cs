using Lookout.Core.Models.Catalog;

namespace Lookout.Core.Inference.Detectors;

/// <summary>
/// How one catalog detector's outputs become candidates. Each implementation knows its output names and decode;
/// <see cref="DetectorService"/> does everything else (images, batching, NMS, labels, scaling).
/// </summary>
public abstract class DetectorModel
{
    public abstract CatalogEntry Entry { get; }
    public abstract IReadOnlyList<string> OutputNames { get; }
    /// <summary>Candidates for one image (outputs in <see cref="OutputNames"/> order), boxes in model-input pixels.</summary>
    public abstract List<RawDetection> Decode(float[][] outputs, float minScore);

    /// <summary>
    /// True when the converted graph takes any batch (several frames in one forward pass). CenterNet's in-graph
    /// <c>detections</c> branch has fixed shapes, so it goes one image per call.
    /// </summary>
    public virtual bool TakesBatches => false;

    /// <summary>Class names by class index.</summary>
    public virtual IReadOnlyList<string> Labels => CocoLabels.All;

    /// <summary>The licence-clean default (Apache-2.0).</summary>
    public const string DefaultName = "nanodet";

    public static IReadOnlyList<string> Names { get; } = ["nanodet", "centernet"];

    /// <summary>A catalog detector by name, or a trained one by its .onnx file or run folder.</summary>
    public static DetectorModel ForName(string name) => name.ToLowerInvariant() switch
    {
        "nanodet" => new NanoDetModel(),
        "centernet" => new CenterNetModel(),
        _ when TrainedPath(name) is { } path => TrainedDetectorModel.Open(path),
        _ => throw new ArgumentException($"unknown detector '{name}'; choose one of: {string.Join(", ", Names)}, or a detector .onnx / run folder made by 'train --task detect'"),
    };

    /// <summary>The model file of a trained detector given as its .onnx or its run folder; null when it is neither.</summary>
    public static string? TrainedPath(string nameOrPath)
    {
        var file = Directory.Exists(nameOrPath) ? Path.Combine(nameOrPath, "model.onnx") : nameOrPath;
        return TrainedDetectorModel.IsDetectorFile(file) ? file : null;
    }

    /// <summary>True for a catalog name or a trained detector file/run folder.</summary>
    public static bool IsDetector(string nameOrPath) =>
        Names.Contains(nameOrPath.ToLowerInvariant()) || TrainedPath(nameOrPath) is not null;
}

/// <summary>CenterNet: keypoints + wh decoded in C# (works at any batch size).</summary>
public sealed class CenterNetModel : DetectorModel
{
    public override CatalogEntry Entry => KnownModels.Centernet;
    public override IReadOnlyList<string> OutputNames { get; } = ["keypoints", "wh"];

    public override List<RawDetection> Decode(float[][] outputs, float minScore) =>
        CenterNetDecoder.Decode(outputs[0], outputs[1], CocoLabels.All.Count, Entry.InputSize, minScore);
}

/// <summary>NanoDet: three GFL levels (strides 8, 16, 32 at 416).</summary>
public sealed class NanoDetModel : DetectorModel
{
    public override CatalogEntry Entry => KnownModels.Nanodet;
    public override IReadOnlyList<string> OutputNames { get; } = ["cls_s8", "cls_s16", "cls_s32", "reg_s8", "reg_s16", "reg_s32"];
    public override bool TakesBatches => true; // importer version 2 keeps the batch axis through its reshapes

    public override List<RawDetection> Decode(float[][] outputs, float minScore)
    {
        var all = new List<RawDetection>();
        for (int level = 0; level < 3; level++)
            all.AddRange(NanoDetDecoder.DecodeLevel(outputs[level], outputs[level + 3], CocoLabels.All.Count, Entry.InputSize, minScore));
        return all;
    }
}

using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Models;
using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Training.Detection;

/// <summary>
/// The one-file detector <c>train --task detect</c> writes: uint8 RGB [N,S,S,3] in (the whole image letterboxed into S×S:
/// aspect kept, centred, grey 114 bars),
/// final <c>boxes</c>/<c>scores</c>/<c>classes</c>/<c>batch_index</c> out (<see cref="DetectionPostprocessGraph"/>), and
/// metadata that makes it self-describing: <c>lookout.task</c>=detect, <c>lookout.labels</c>, <c>lookout.preprocess</c>,
/// <c>lookout.postprocess</c> (outputs, box convention, NMS defaults), backbone, run and code version.
/// </summary>
public static class DetectorExport
{
    /// <summary>The exported file's defaults when a caller feeds no thresholds (Lookout always feeds its own).</summary>
    public const float DefaultScoreThreshold = DetectorOptions.DefaultMinScore, DefaultIoU = DetectorOptions.DefaultNmsIoU;
    public const int DefaultMaxPerClass = 100;

    /// <summary>
    /// How a detector's input is made: the whole frame letterboxed into the square input (a 16:9 camera frame keeps its
    /// objects' shapes; what <see cref="BoxAugmenter"/> trains on), 0..255 → 0..1 in-graph. Files written before this
    /// say <see cref="ResizeMode.Stretch"/> and are still served that way: every consumer reads the spec from the file.
    /// </summary>
    public static PreprocessSpec Spec(int inputSize) =>
        new() { Width = inputSize, Height = inputSize, Resize = ResizeMode.Letterbox, Mean = [0, 0, 0], Std = [255, 255, 255] };

    /// <summary>The trained raw-head graph with decode + NMS appended and the metadata above.</summary>
    public static OnnxModel Build(OnnxModel trained, IReadOnlyList<string> labels, string backbone, string runId, string codeVersion)
    {
        var model = DetectionPostprocessGraph.Append(trained, DefaultScoreThreshold, DefaultIoU, DefaultMaxPerClass);
        WriteMetadata(model, labels, backbone, runId, codeVersion);
        model.Metadata[TrainedDetectorModel.PostprocessKey] = JsonSerializer.Serialize(new
        {
            outputs = InGraphDetectionRunner.OutputNames,
            boxes = "x1,y1,x2,y2 in model-input pixels; the input is the frame letterboxed (lookout.preprocess): original = (box - pad) / scale, scale = S / max(width, height), pad = (S - round(side * scale)) / 2 (integer) per axis",
            classes = "index into lookout.labels",
            batchIndex = "image of the batch each box belongs to",
            nms = "per class",
            inputs = new Dictionary<string, object>
            {
                [InGraphDetectionRunner.ScoreThreshold] = DefaultScoreThreshold,
                [InGraphDetectionRunner.IouThreshold] = DefaultIoU,
                [InGraphDetectionRunner.MaxPerClass] = DefaultMaxPerClass,
            },
        });
        return model;
    }

    /// <summary>The metadata every detector file carries (also used for raw-head files, e.g. the untrained baseline in tests).</summary>
    public static void WriteMetadata(OnnxModel model, IReadOnlyList<string> labels, string backbone, string runId, string codeVersion)
    {
        model.Metadata[TrainedDetectorModel.TaskKey] = TrainedDetectorModel.TaskValue;
        model.Metadata[ModelMetadata.Labels] = JsonSerializer.Serialize(labels);
        model.Metadata[ModelMetadata.Preprocess] = Spec(NanoDetGraph.InputSize(model)).ToJson();
        model.Metadata[ModelMetadata.Backbone] = backbone;
        model.Metadata[ModelMetadata.Run] = runId;
        model.Metadata[ModelMetadata.Version] = codeVersion;
    }
}

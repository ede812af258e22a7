using Lookout.Core.Imaging;
using Lookout.Core.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lookout.Core.Inference.Detectors;

/// <summary>
/// Runs a detector whose ONNX graph already decodes and applies NMS (what <c>train --task detect</c> exports): uint8
/// [N,H,W,3] in, <c>boxes</c> [K,4] (model-input pixels), <c>scores</c> [K], <c>classes</c> [K] and <c>batch_index</c> [K]
/// out. The caller's score threshold, NMS IoU and box cap are fed to the graph's optional threshold inputs, so the file
/// and this runner agree with the C# decode path. One shared session (thread-safe); several images per call.
/// </summary>
public sealed class InGraphDetectionRunner : IDisposable
{
    public const string Boxes = "boxes", Scores = "scores", Classes = "classes", BatchIndex = "batch_index";
    public const string ScoreThreshold = "score_threshold", IouThreshold = "iou_threshold", MaxPerClass = "max_per_class";
    public static IReadOnlyList<string> OutputNames { get; } = [Boxes, Scores, Classes, BatchIndex];

    private readonly InferenceSession _session;
    private readonly PreprocessSpec _spec;
    private readonly int _batch;

    public InGraphDetectionRunner(string onnxPath, PreprocessSpec spec, OnnxRunnerOptions? options = null)
    {
        options ??= OnnxRunnerOptions.Default;
        using var so = options.CreateSessionOptions();
        // ORT warns that the threshold inputs have default initializers; that is on purpose (callers may override them).
        so.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
        try { _session = new InferenceSession(onnxPath, so); }
        catch (OnnxRuntimeException e) { throw new InvalidDataException($"ONNX Runtime cannot load {onnxPath}: {e.Message}", e); }
        foreach (var name in OutputNames)
            if (!_session.OutputMetadata.ContainsKey(name))
            {
                _session.Dispose();
                throw new InvalidDataException($"{onnxPath} has no output named '{name}'.");
            }
        _spec = spec;
        _batch = Math.Max(1, options.BatchSize);
    }

    /// <summary>Candidates per image (model-input pixels), already past the score threshold and per-class NMS.</summary>
    public List<RawDetection>[] Run(IReadOnlyList<RgbImage> images, DetectorOptions options)
    {
        var result = new List<RawDetection>[images.Count];
        for (int start = 0; start < images.Count; start += _batch)
        {
            var chunk = RunBatch(images.Skip(start).Take(_batch).ToList(), options);
            Array.Copy(chunk, 0, result, start, chunk.Length);
        }
        return result;
    }

    private List<RawDetection>[] RunBatch(IReadOnlyList<RgbImage> images, DetectorOptions options)
    {
        int h = _spec.Height, w = _spec.Width, per = h * w * 3;
        var buffer = new byte[images.Count * per];
        for (int i = 0; i < images.Count; i++)
        {
            var img = images[i];
            if (img.Width != w || img.Height != h || img.Pixels.Length != per)
                throw new ArgumentException($"Image {i} is {img.Width}x{img.Height}, the model takes {w}x{h}.", nameof(images));
            img.Pixels.CopyTo(buffer, i * per);
        }
        var inputs = new[]
        {
            NamedOnnxValue.CreateFromTensor(Models.Onnx.ImageInputPrologue.InputName, new DenseTensor<byte>(buffer, [images.Count, h, w, 3])),
            NamedOnnxValue.CreateFromTensor(ScoreThreshold, new DenseTensor<float>(new[] { options.MinScore }, [1])),
            NamedOnnxValue.CreateFromTensor(IouThreshold, new DenseTensor<float>(new[] { options.NmsIoU }, [1])),
            NamedOnnxValue.CreateFromTensor(MaxPerClass, new DenseTensor<long>(new[] { (long)options.MaxDetections }, [1])),
        };
        using var results = _session.Run(inputs, OutputNames);
        var boxes = results[0].AsTensor<float>().ToArray();
        var scores = results[1].AsTensor<float>().ToArray();
        var classes = results[2].AsTensor<long>().ToArray();
        var batch = results[3].AsTensor<long>().ToArray();
        var perImage = Enumerable.Range(0, images.Count).Select(_ => new List<RawDetection>()).ToArray();
        for (int k = 0; k < scores.Length; k++)
            perImage[batch[k]].Add(new RawDetection((int)classes[k], scores[k], new BoxF(boxes[k * 4], boxes[k * 4 + 1], boxes[k * 4 + 2], boxes[k * 4 + 3])));
        return perImage;
    }

    public void Dispose() => _session.Dispose();
}

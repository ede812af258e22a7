using System.Diagnostics;
using System.Text.Json;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Imaging;
using Lookout.Core.IO;
using Lookout.Core.Models;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.Quantization;
using Lookout.Core.Runs;

namespace Lookout.Core.Pipelines.Export;

public sealed record Int8ExportRequest(Workspace Workspace, RunFolder Run, string Destination)
{
    /// <summary>Most validation images used for calibration (ranges settle long before; more only costs time).</summary>
    public int MaxCalibrationImages { get; init; } = 200;
    /// <summary>Test images timed per precision, and how many alternating rounds are timed.</summary>
    public int TimedImages { get; init; } = 32;
    public int TimedRounds { get; init; } = 5;
}

/// <summary>What <c>export --int8</c> measured and wrote.</summary>
public sealed record Int8ExportResult(string Path, string Precision, Int8Decision Decision, PrecisionScore Fp32, PrecisionScore Int8,
    int CalibrationImages, int TestImages, long Fp32Bytes, long Int8Bytes);

/// <summary>
/// <c>export &lt;run&gt; out.onnx --int8</c>: quantizes the run's model (static QDQ, ranges from the workspace's validation
/// images), scores both precisions on the test split and times them here, and writes int8 only when
/// <see cref="Int8Decision"/> allows it, else the float model. Either way <c>lookout.precision</c> and
/// <c>lookout.quantization</c> in the file say what was chosen and why.
/// </summary>
public static class Int8ExportPipeline
{
    public static async Task<Int8ExportResult> RunAsync(Int8ExportRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        observer ??= NullPipelineObserver.Instance;
        if (!File.Exists(request.Run.ModelPath)) throw new LookoutException($"run {request.Run.Id} has no model.onnx (did training finish?)");
        var items = new DatasetService(request.Workspace).Snapshot();
        var test = items.Where(i => i.Split == Split.Test).ToList();
        if (test.Count == 0) throw new LookoutException("int8 export needs the workspace's test split to compare accuracy, and it is empty");
        var fp32 = OnnxReader.Load(request.Run.ModelPath);
        var spec = PreprocessSpec.FromJson(fp32.Metadata[ModelMetadata.Preprocess]);

        observer.OnMessage(PipelinePhase.Calibrate, "calibrating int8 ranges on the validation images");
        var calibration = LoadImages(items.Where(i => i.Split == Split.Val).Take(request.MaxCalibrationImages), spec);
        var tensors = QdqQuantizer.CalibrationTensors(fp32);
        if (tensors.Count == 0) throw new LookoutException("the model has no convolution to quantize");
        var ranges = ActivationCalibrator.Collect(fp32, calibration, tensors);
        var int8 = QdqQuantizer.Quantize(fp32, ranges);

        var dir = Path.GetDirectoryName(Path.GetFullPath(request.Destination))!;
        Directory.CreateDirectory(dir);
        var int8Path = Path.Combine(dir, $".lookout-int8-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxWriter.Save(int8, int8Path);
            observer.OnMessage(PipelinePhase.Evaluate, "scoring fp32 and int8 on the test split, timing both here");
            var fp32Report = await EvaluationService.EvaluateAsync(request.Run.ModelPath, items, Split.Test, ct: ct);
            var int8Report = await EvaluationService.EvaluateAsync(int8Path, items, Split.Test, ct: ct);
            var timed = LoadImages(test.Take(request.TimedImages), spec);
            var (fp32Ms, int8Ms) = SpeedProbe.MsPerImage(request.Run.ModelPath, int8Path, spec, timed, request.TimedRounds);
            var fp32Score = new PrecisionScore(fp32Report.Accuracy, fp32Ms);
            var int8Score = new PrecisionScore(int8Report.Accuracy, int8Ms);
            var decision = Int8Decision.Decide(fp32Score, int8Score);

            var chosen = decision.KeepInt8 ? int8 : fp32;
            chosen.Metadata[ModelMetadata.Precision] = decision.KeepInt8 ? QdqQuantizer.Int8 : QdqQuantizer.Fp32;
            chosen.Metadata[ModelMetadata.Quantization] = JsonSerializer.Serialize(new
            {
                kept = chosen.Metadata[ModelMetadata.Precision], reason = decision.Reason, calibrationImages = ranges.Images,
                testImages = fp32Report.Count, fp32 = new { accuracy = fp32Score.Accuracy, msPerImage = Math.Round(fp32Ms, 3) },
                int8 = new { accuracy = int8Score.Accuracy, msPerImage = Math.Round(int8Ms, 3) },
            });
            OnnxWriter.Save(chosen, request.Destination);
            return new Int8ExportResult(Path.GetFullPath(request.Destination), chosen.Metadata[ModelMetadata.Precision], decision, fp32Score, int8Score,
                ranges.Images, fp32Report.Count, new FileInfo(request.Run.ModelPath).Length, new FileInfo(int8Path).Length);
        }
        finally { File.Delete(int8Path); }
    }

    private static List<RgbImage> LoadImages(IEnumerable<LabeledImage> items, PreprocessSpec spec)
    {
        var images = new List<RgbImage>();
        foreach (var item in items)
        {
            try { images.Add(ImageLoader.Load(item.Path, spec)); }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or LookoutException) { /* unreadable now: calibrate on the rest */ }
        }
        return images;
    }
}

using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Inference.Detectors;

namespace Lookout.Core.Evaluation.Detection;

/// <summary>What a detector scored on a set of boxed images: the mAP result and each image's truth and detections.</summary>
public sealed record DetectionEvaluation(MapResult Map, IReadOnlyList<DetectionSample> Samples, IReadOnlyList<string> Labels, float MinScore);

/// <summary>
/// Runs a detector over boxed images and scores it with <see cref="MeanAveragePrecision"/>. Detections are kept down to
/// a low score (<see cref="MinScore"/>) because AP integrates over every threshold; a class the detector does not know
/// maps to no detections. The images' truth labels are matched to the detector's labels by name.
/// </summary>
public static class DetectionEvaluator
{
    public const float MinScore = 0.05f;

    public static async Task<DetectionEvaluation> EvaluateAsync(DetectorService detector, IReadOnlyList<BoxedImage> images, IReadOnlyList<string> labels, CancellationToken ct = default)
    {
        var classOf = labels.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var detectorToLabel = detector.Labels.Select(l => classOf.TryGetValue(l, out var i) ? i : -1).ToArray();
        var options = new DetectorOptions { MinScore = MinScore, MaxDetections = MeanAveragePrecision.MaxDetectionsPerImage };
        var samples = new List<DetectionSample>(images.Count);
        int k = 0;
        await foreach (var r in detector.DetectFilesAsync(images.Select(i => i.Path).ToList(), options, ct: ct))
        {
            var image = images[k++];
            if (!r.Ok) throw new LookoutException($"{image.Path}: {r.Error}");
            var truth = image.Boxes.Where(b => classOf.ContainsKey(b.Label)).Select(b => new TruthBox(classOf[b.Label], b.Box)).ToList();
            var dets = r.Detections.Where(d => detectorToLabel[d.ClassId] >= 0)
                .Select(d => new ScoredBox(detectorToLabel[d.ClassId], d.Score, d.Box)).ToList();
            samples.Add(new DetectionSample(image.Path, truth, dets));
        }
        return new DetectionEvaluation(MeanAveragePrecision.Compute(samples, labels), samples, labels, MinScore);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Lookout.Core.Inference;
using Lookout.Core.IO;
using ScottPlot;

namespace Lookout.Core.Evaluation.Detection;

/// <summary>
/// The files a detector evaluation leaves in a run folder: <c>eval.json</c>, <c>eval.md</c> (per class AP@0.5,
/// AP@0.5:0.95, truth boxes, with a "too few boxes" note), <c>pr.png</c> (precision–recall at IoU 0.5 per class) and
/// two galleries of annotated images: <c>gallery/false-positives</c> (confident detections that match nothing) and
/// <c>gallery/misses</c> (truth boxes no detection found), each with at most <see cref="GalleryMax"/> pictures.
/// </summary>
public static class DetectionReportWriter
{
    public const int GalleryMax = 24;
    /// <summary>Below this many truth boxes a class's AP swings by many points with a single box.</summary>
    public const int FewBoxes = 30;
    /// <summary>The score galleries treat as "the detector said yes" (the default detect threshold).</summary>
    public const float GalleryScore = 0.4f;

    public static void Write(DetectionEvaluation e, string dir, string split, MapResult? baseline = null)
    {
        AtomicFile.WriteAllText(Path.Combine(dir, "eval.json"), JsonSerializer.Serialize(Json(e, split, baseline), LookoutJson.Options));
        AtomicFile.WriteAllText(Path.Combine(dir, "eval.md"), Markdown(e, split, baseline));
        AtomicFile.WriteAllBytes(Path.Combine(dir, "pr.png"), PrPng(e.Map));
        WriteGalleries(e, Path.Combine(dir, "gallery"));
    }

    public static IReadOnlyList<string> FewBoxWarnings(IEnumerable<(string Label, int Boxes)> perClass, string where) =>
        perClass.Where(c => c.Boxes < FewBoxes)
            .Select(c => $"too few boxes: '{c.Label}' has {c.Boxes} {where} (fewer than {FewBoxes}); its AP will swing by several points per box").ToList();

    public static object Json(DetectionEvaluation e, string split, MapResult? baseline) => new
    {
        split,
        images = e.Samples.Count,
        map50 = e.Map.Map50,
        map50To95 = e.Map.Map50To95,
        map75 = e.Map.Map75,
        baselineMap50 = baseline?.Map50,
        baselineMap50To95 = baseline?.Map50To95,
        classes = e.Map.Classes.Select(c => new { label = c.Label, boxes = c.TruthBoxes, detections = c.Detections, ap50 = c.Ap50, ap75 = c.Ap75, ap50To95 = c.Ap50To95, fewBoxes = c.TruthBoxes < FewBoxes }),
    };

    public static string Markdown(DetectionEvaluation e, string split, MapResult? baseline)
    {
        static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.AppendLine($"# Detector evaluation ({split} split, {e.Samples.Count} images)").AppendLine();
        sb.AppendLine($"mAP@0.5 **{F(e.Map.Map50)}**, mAP@0.5:0.95 **{F(e.Map.Map50To95)}** (COCO: 101-point interpolated AP, greedy matching by score)");
        if (baseline is not null) sb.AppendLine($"\nBefore training (COCO NanoDet with an untrained head for these classes): mAP@0.5 {F(baseline.Map50)}, mAP@0.5:0.95 {F(baseline.Map50To95)}");
        sb.AppendLine().AppendLine("| class | boxes | AP@0.5 | AP@0.75 | AP@0.5:0.95 | note |").AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var c in e.Map.Classes)
            sb.AppendLine($"| {c.Label} | {c.TruthBoxes} | {F(c.Ap50)} | {F(c.Ap75)} | {F(c.Ap50To95)} | {(c.TruthBoxes < FewBoxes ? $"too few boxes (< {FewBoxes})" : "")} |");
        return sb.ToString();
    }

    public static byte[] PrPng(MapResult map, int width = 560, int height = 400)
    {
        var plt = new Plot();
        foreach (var c in map.Classes.Where(c => c.Curve50.Recall.Count > 0))
        {
            var s = plt.Add.Scatter(c.Curve50.Recall.ToArray(), c.Curve50.Precision.ToArray());
            s.LegendText = $"{c.Label} (AP50 {c.Ap50:0.00})";
            s.MarkerSize = 0;
        }
        plt.Title("precision-recall at IoU 0.5");
        plt.XLabel("recall");
        plt.YLabel("precision");
        plt.Axes.SetLimits(0, 1, 0, 1.02);
        plt.ShowLegend();
        return plt.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>Per image, detections above <see cref="GalleryScore"/> matching no truth box (IoU 0.5, same class) and truth boxes no such detection matched.</summary>
    public static (List<ScoredBox> FalsePositives, List<TruthBox> Misses) Mistakes(DetectionSample s)
    {
        var used = new bool[s.Truth.Count];
        var fps = new List<ScoredBox>();
        foreach (var d in s.Detections.Where(d => d.Score >= GalleryScore).OrderByDescending(d => d.Score))
        {
            int best = -1;
            float bestIoU = 0.5f;
            for (int g = 0; g < s.Truth.Count; g++)
                if (!used[g] && s.Truth[g].ClassId == d.ClassId && d.Box.IoU(s.Truth[g].Box) is var iou && iou >= bestIoU) { best = g; bestIoU = iou; }
            if (best >= 0) used[best] = true; else fps.Add(d);
        }
        return (fps, s.Truth.Where((_, g) => !used[g]).ToList());
    }

    private static void WriteGalleries(DetectionEvaluation e, string dir)
    {
        var fpDir = Path.Combine(dir, "false-positives");
        var missDir = Path.Combine(dir, "misses");
        Directory.CreateDirectory(fpDir);
        Directory.CreateDirectory(missDir);
        int fpCount = 0, missCount = 0;
        foreach (var s in e.Samples)
        {
            var (fps, misses) = Mistakes(s);
            var name = Path.GetFileNameWithoutExtension(s.Name) + ".jpg";
            if (fps.Count > 0 && fpCount++ < GalleryMax)
                Annotator.Write(s.Name, fps.Select(f => new Annotation(f.Box, $"FP {e.Labels[f.ClassId]} {f.Score:0.00}", f.ClassId)), Path.Combine(fpDir, name));
            if (misses.Count > 0 && missCount++ < GalleryMax)
                Annotator.Write(s.Name, misses.Select(m => new Annotation(m.Box, $"missed {e.Labels[m.ClassId]}", m.ClassId)), Path.Combine(missDir, name));
        }
    }
}

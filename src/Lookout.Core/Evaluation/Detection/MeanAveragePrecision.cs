using Lookout.Core.Imaging;

namespace Lookout.Core.Evaluation.Detection;

/// <summary>A ground-truth box of one image, by class index.</summary>
public readonly record struct TruthBox(int ClassId, BoxF Box);

/// <summary>A scored detection of one image, by class index.</summary>
public readonly record struct ScoredBox(int ClassId, float Score, BoxF Box);

/// <summary>One image's truth and detections, with the name galleries show.</summary>
public sealed record DetectionSample(string Name, IReadOnlyList<TruthBox> Truth, IReadOnlyList<ScoredBox> Detections);

/// <summary>Precision at each recall of the score-sorted detections of one class at one IoU threshold (before interpolation).</summary>
public sealed record PrCurve(IReadOnlyList<double> Recall, IReadOnlyList<double> Precision);

/// <summary>One class's average precision at IoU 0.5, 0.75 and averaged over 0.50:0.05:0.95, and its number of truth boxes.</summary>
public sealed record ClassAp(string Label, int TruthBoxes, int Detections, double Ap50, double Ap75, double Ap50To95, PrCurve Curve50);

/// <summary>Per-class APs and their means over the classes that have truth boxes (COCO leaves the others out).</summary>
public sealed record MapResult(IReadOnlyList<ClassAp> Classes)
{
    public double Map50 => Mean(c => c.Ap50);
    public double Map75 => Mean(c => c.Ap75);
    public double Map50To95 => Mean(c => c.Ap50To95);
    private double Mean(Func<ClassAp, double> f) => Classes.Where(c => c.TruthBoxes > 0).Select(f).DefaultIfEmpty(0).Average();
}

/// <summary>
/// The COCO detection metric. Per class and IoU threshold: detections of all images sorted by score (stable, so ties
/// keep input order); each one, greedily, takes the unmatched truth box of its image with the highest IoU at or above
/// the threshold (true positive) or is a false positive. Precision is made non-increasing from the right and read at
/// the 101 recall points 0, 0.01, …, 1 (0 past the highest recall reached); AP is their mean. AP@[.5:.95] is the mean
/// over the ten thresholds 0.50, 0.55, …, 0.95. At most <see cref="MaxDetectionsPerImage"/> detections per image count.
/// </summary>
public static class MeanAveragePrecision
{
    public const int MaxDetectionsPerImage = 100;
    public static readonly double[] Thresholds = Enumerable.Range(0, 10).Select(i => 0.5 + 0.05 * i).ToArray();

    public static MapResult Compute(IReadOnlyList<DetectionSample> samples, IReadOnlyList<string> labels)
    {
        var classes = new List<ClassAp>();
        for (int c = 0; c < labels.Count; c++)
        {
            int truth = samples.Sum(s => s.Truth.Count(t => t.ClassId == c));
            int dets = samples.Sum(s => TopDetections(s).Count(d => d.ClassId == c));
            var aps = Thresholds.Select(t => AveragePrecision(samples, c, t, out _)).ToArray();
            AveragePrecision(samples, c, 0.5, out var curve);
            classes.Add(new ClassAp(labels[c], truth, dets, aps[0], aps[5], aps.Average(), curve));
        }
        return new MapResult(classes);
    }

    /// <summary>AP of class <paramref name="classId"/> at one IoU threshold; 0 when it has no truth boxes.</summary>
    public static double AveragePrecision(IReadOnlyList<DetectionSample> samples, int classId, double iouThreshold, out PrCurve curve)
    {
        var (tp, truthCount) = Match(samples, classId, iouThreshold);
        var recall = new double[tp.Count];
        var precision = new double[tp.Count];
        int hits = 0;
        for (int i = 0; i < tp.Count; i++)
        {
            if (tp[i]) hits++;
            recall[i] = truthCount == 0 ? 0 : (double)hits / truthCount;
            precision[i] = (double)hits / (i + 1);
        }
        curve = new PrCurve(recall, precision);
        if (truthCount == 0) return 0;
        var envelope = (double[])precision.Clone();
        for (int i = envelope.Length - 2; i >= 0; i--) envelope[i] = Math.Max(envelope[i], envelope[i + 1]);
        double sum = 0;
        int at = 0;
        for (int r = 0; r <= 100; r++)
        {
            double target = r / 100.0;
            // COCO's searchsorted(recall, target, side='left') on a cumulative recall.
            while (at < recall.Length && recall[at] < target - 1e-12) at++;
            if (at < recall.Length) sum += envelope[at];
        }
        return sum / 101;
    }

    /// <summary>Per detection of the class, in score order: true positive or not; plus the class's truth count.</summary>
    public static (List<bool> TruePositives, int TruthCount) Match(IReadOnlyList<DetectionSample> samples, int classId, double iouThreshold)
    {
        var all = new List<(int Image, ScoredBox Det, int Order)>();
        int truthCount = 0;
        int order = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            truthCount += samples[i].Truth.Count(t => t.ClassId == classId);
            foreach (var d in TopDetections(samples[i]).Where(d => d.ClassId == classId)) all.Add((i, d, order++));
        }
        all.Sort((a, b) => a.Det.Score != b.Det.Score ? b.Det.Score.CompareTo(a.Det.Score) : a.Order.CompareTo(b.Order));
        var used = samples.Select(s => new bool[s.Truth.Count]).ToArray();
        var tp = new List<bool>(all.Count);
        foreach (var (image, det, _) in all)
        {
            var truth = samples[image].Truth;
            int best = -1;
            double bestIoU = iouThreshold - 1e-10;
            for (int g = 0; g < truth.Count; g++)
            {
                if (truth[g].ClassId != classId || used[image][g]) continue;
                double iou = det.Box.IoU(truth[g].Box);
                if (iou >= bestIoU) { bestIoU = iou; best = g; }
            }
            if (best >= 0) used[image][best] = true;
            tp.Add(best >= 0);
        }
        return (tp, truthCount);
    }

    private static IEnumerable<ScoredBox> TopDetections(DetectionSample s) =>
        s.Detections.Count <= MaxDetectionsPerImage ? s.Detections : s.Detections.OrderByDescending(d => d.Score).Take(MaxDetectionsPerImage);
}

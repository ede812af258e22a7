using Lookout.Core.Evaluation.Detection;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Evaluation.Detection;

/// <summary>The COCO mAP against cases worked out by hand.</summary>
public class MeanAveragePrecisionTests
{
    private static readonly BoxF A = new(0, 0, 10, 10), B = new(20, 20, 30, 30), Elsewhere = new(50, 50, 60, 60);

    private static DetectionSample Image(TruthBox[] truth, params (int C, float S, BoxF B)[] dets) =>
        new("img", truth, dets.Select(d => new ScoredBox(d.C, d.S, d.B)).ToList());

    [Fact]
    public void TpFpTp_Is101PointInterpolated()
    {
        // Recall/precision: (0.5, 1), (0.5, 0.5), (1, 2/3). Envelope 1, 2/3, 2/3. Recall points 0..0.50 read 1 (51 of them),
        // 0.51..1.00 read 2/3 (50 of them): AP = (51 + 50·2/3) / 101.
        var s = Image([new(0, A), new(0, B)], (0, 0.9f, A), (0, 0.8f, Elsewhere), (0, 0.7f, B));
        double ap = MeanAveragePrecision.AveragePrecision([s], 0, 0.5, out var curve);
        Assert.Equal((51 + 50 * 2.0 / 3) / 101, ap, 10);
        Assert.Equal([0.5, 0.5, 1.0], curve.Recall);
        Assert.Equal(2.0 / 3, curve.Precision[2], 10);
    }

    [Fact]
    public void PerfectDetections_AreOneAtEveryThreshold()
    {
        var r = MeanAveragePrecision.Compute([Image([new(0, A), new(1, B)], (0, 0.9f, A), (1, 0.6f, B))], ["a", "b"]);
        Assert.Equal(1.0, r.Map50, 10);
        Assert.Equal(1.0, r.Map50To95, 10);
    }

    [Fact]
    public void LooseBox_CountsOnlyAtThresholdsItsIoUReaches()
    {
        var loose = new BoxF(0, 0, 10, 6.2f); // IoU 0.62 with A: a hit at 0.50, 0.55, 0.60 of the ten thresholds
        var r = MeanAveragePrecision.Compute([Image([new(0, A)], (0, 0.9f, loose))], ["a"]);
        Assert.Equal(1.0, r.Map50, 10);
        Assert.Equal(0.0, r.Map75, 10);
        Assert.Equal(0.3, r.Map50To95, 10);
    }

    [Fact]
    public void GreedyByScore_TheHigherScoreTakesTheTruth_EvenWithLessOverlap()
    {
        var rough = new BoxF(0, 0, 10, 8); // IoU 0.8, score 0.9 -> TP; the exact box at 0.5 comes second -> FP
        var (tp, truth) = MeanAveragePrecision.Match([Image([new(0, A)], (0, 0.5f, A), (0, 0.9f, rough))], 0, 0.5);
        Assert.Equal([true, false], tp);
        Assert.Equal(1, truth);
        // Precision 1 at recall 1 comes first, so AP is still 1: the duplicate costs nothing once recall is full.
        Assert.Equal(1.0, MeanAveragePrecision.AveragePrecision([Image([new(0, A)], (0, 0.5f, A), (0, 0.9f, rough))], 0, 0.5, out _), 10);
    }

    [Fact]
    public void ConfidentFalsePositiveFirst_HalvesThePrecisionOfTheHit()
    {
        // FP at 0.9 then TP at 0.8: precision at recall 1 is 0.5; every recall point reads 0.5.
        var r = MeanAveragePrecision.AveragePrecision([Image([new(0, A)], (0, 0.9f, Elsewhere), (0, 0.8f, A))], 0, 0.5, out _);
        Assert.Equal(0.5, r, 10);
    }

    [Fact]
    public void WrongClass_MissedTruth_AndClassesWithoutTruth()
    {
        // Class 0's truth is found as class 1: class 0 has AP 0 (missed), class 1 has no truth and is left out of the mean.
        var r = MeanAveragePrecision.Compute([Image([new(0, A)], (1, 0.9f, A))], ["a", "b", "c"]);
        Assert.Equal(0, r.Classes[0].Ap50);
        Assert.Equal(0, r.Classes[1].TruthBoxes);
        Assert.Equal(0.0, r.Map50, 10);
        var half = MeanAveragePrecision.Compute([Image([new(0, A), new(2, B)], (2, 0.9f, B))], ["a", "b", "c"]);
        Assert.Equal(0.5, half.Map50, 10); // mean over a (0) and c (1); b has no truth
    }

    [Fact]
    public void MatchesAcrossImages_AreSortedGlobally()
    {
        // Image 1: FP at 0.95. Image 2: TP at 0.6. Order FP, TP -> precision 0.5 at recall 1 -> AP 0.5.
        var ap = MeanAveragePrecision.AveragePrecision([Image([], (0, 0.95f, A)), Image([new(0, B)], (0, 0.6f, B))], 0, 0.5, out _);
        Assert.Equal(0.5, ap, 10);
    }
}

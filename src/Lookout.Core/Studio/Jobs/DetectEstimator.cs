using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Evaluation.Detection;

namespace Lookout.Core.Studio.Jobs;

/// <summary>A detection project's Train estimate: reviewed pictures and boxes, the "too few boxes" warnings, and seconds per mode.</summary>
public sealed record DetectEstimate(int Images, int Boxes, IReadOnlyList<ClassBoxes> Classes, int QuickEpochs, int BetterEpochs,
    double QuickSeconds, double BetterSeconds, string Basis, IReadOnlyList<string> Warnings);

public sealed record ClassBoxes(string Label, int Boxes);

/// <summary>
/// How long training the project's boxes should take: the last detector job that ran in one go, scaled by pictures and
/// epochs (this machine's own speed), or before any a first guess from NanoDet's typical CPU rate at 320 px. Also
/// counts the boxes per class the way the trainer will (the YOLO files beside the pictures), so the Train tab warns
/// before training that a class has too few boxes for a steady mAP.
/// </summary>
public static class DetectEstimator
{
    public const int QuickEpochs = 10, BetterEpochs = 30;
    /// <summary>A first guess for one picture through one epoch (forward, backward, augmentation) on a 2-core CPU.</summary>
    public const double SecondsPerImageEpoch = 0.12;
    /// <summary>Loading the base detector, exporting and evaluating.</summary>
    public const double FixedSeconds = 15;

    public static int EpochsOf(JobMode mode) => mode == JobMode.Quick ? QuickEpochs : BetterEpochs;

    public static DetectEstimate For(StudioProject project, JobStore jobs)
    {
        BoxDataset? data = null;
        try { if (BoxDatasetImporter.HasBoxes(project.DataDir)) data = BoxDatasetImporter.Import(project.DataDir, BoxFormat.Yolo); }
        catch (LookoutException) { } // nothing importable yet: counted as no pictures
        int images = data?.Images.Count ?? 0;
        var perClass = data?.BoxesPerClass().Select(c => new ClassBoxes(c.Label, c.Boxes)).ToList() ?? [];
        var warnings = DetectionReportWriter.FewBoxWarnings(perClass.Select(c => (c.Label, c.Boxes)), "boxes").ToList();
        if (images == 0) warnings.Insert(0, "no reviewed pictures yet: draw boxes on some pictures in the Boxes tab first");

        // A finished job's seconds per (picture x epoch), measured on this machine; trained 70% of the pictures (the train split).
        double? measured = null;
        foreach (var j in jobs.List().Where(j => j.State == JobState.Done && j.Attempts == 1 && j.Started is not null && j.Finished is not null))
        {
            var dir = j.Run is null ? null : Path.Combine(project.Workspace.RunsDir, j.Run);
            if (dir is null || !File.Exists(Path.Combine(dir, Runs.RunStore.DetectPlanFile))) continue;
            int epochs = Math.Max(1, File.Exists(Path.Combine(dir, "metrics.tsv")) ? File.ReadLines(Path.Combine(dir, "metrics.tsv")).Count() - 1 : 1);
            double seconds = (j.Finished!.Value - j.Started!.Value).TotalSeconds;
            measured = Math.Max(0.001, (seconds - FixedSeconds) / (Math.Max(images, 1) * epochs));
            break;
        }
        double rate = measured ?? SecondsPerImageEpoch;
        double Seconds(int epochs) => Math.Round(FixedSeconds + rate * Math.Max(images, 1) * epochs, 1);
        return new DetectEstimate(images, data?.BoxCount ?? 0, perClass, QuickEpochs, BetterEpochs, Seconds(QuickEpochs), Seconds(BetterEpochs),
            measured is null ? "first guess from typical CPU speed" : "measured on this machine by the last detector training", warnings);
    }
}

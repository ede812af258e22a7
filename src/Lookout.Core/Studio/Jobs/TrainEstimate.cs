using Lookout.Core.Runs;

namespace Lookout.Core.Studio.Jobs;

/// <summary>How long a job of each mode should take now, and what the guess rests on.</summary>
public sealed record TrainEstimate(int Images, double QuickSeconds, double BetterSeconds, string Basis);

/// <summary>
/// The Train button's time estimate: the last finished job of the same mode scaled by image count (this machine's own
/// speed), or, before any, a first guess from typical CPU rates (embedding ~20 img/s once, then cached; a fine-tuning
/// epoch ~25 img/s). Pure apart from reading the job list and run manifests.
/// </summary>
public static class TrainEstimator
{
    public const double EmbedSecondsPerImage = 0.05;
    public const double FineTuneSecondsPerImageEpoch = 0.04;
    public const int DefaultFineTuneEpochs = 10;

    public static TrainEstimate For(StudioProject project, JobStore jobs)
    {
        int images = project.Datasets.Items().Count(i => i.IsUsable);
        var runs = new RunStore(project.Workspace.RunsDir);
        double? Measured(JobMode mode)
        {
            var last = jobs.List().FirstOrDefault(j => j.Mode == mode && j.State == JobState.Done && j.Run is not null && j.Started is not null && j.Finished is not null && j.Attempts == 1);
            if (last is null) return null;
            RunManifest? manifest;
            try { manifest = runs.Open(last.Run!).ReadJson<RunManifest>(runs.Open(last.Run!).ManifestPath); }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException) { return null; }
            int then = manifest?.Splits.Values.Sum(s => s.Count) ?? 0;
            if (then == 0) return null;
            return (last.Finished!.Value - last.Started!.Value).TotalSeconds * Math.Max(images, 1) / then;
        }
        var quick = Measured(JobMode.Quick);
        var better = Measured(JobMode.Better);
        double quickGuess = 3 + images * EmbedSecondsPerImage;
        double betterGuess = quickGuess + images * 0.7 * DefaultFineTuneEpochs * FineTuneSecondsPerImageEpoch;
        var basis = quick is null && better is null ? "first guess from typical CPU speed" : "measured on this machine by the last training of that kind";
        return new TrainEstimate(images, Math.Round(quick ?? quickGuess, 1), Math.Round(better ?? betterGuess, 1), basis);
    }
}

using System.Text.Json;
using Lookout.Core.IO;

namespace Lookout.Core.Evaluation.Walkthroughs;

/// <summary>A run's score on one walk-through of its workspace.</summary>
public sealed record WalkthroughResult(long Id, string Name, WalkthroughEvaluation Evaluation);

/// <summary><c>walkthroughs.json</c> in a run folder: what <c>eval</c> measured on the workspace's walk-throughs, read by the report.</summary>
public static class WalkthroughResults
{
    public const string FileName = "walkthroughs.json";

    public static void Save(string runDir, IReadOnlyList<WalkthroughResult> results) =>
        AtomicFile.WriteAllText(Path.Combine(runDir, FileName), JsonSerializer.Serialize(results, LookoutJson.Options));

    /// <summary>The saved results, or none when the run was never evaluated on a walk-through.</summary>
    public static IReadOnlyList<WalkthroughResult> Load(string runDir)
    {
        var path = Path.Combine(runDir, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<List<WalkthroughResult>>(File.ReadAllText(path), LookoutJson.Options) ?? [] : [];
    }

    /// <summary>One line per walk-through: per-frame and smoothed accuracy on the frames inside its segments.</summary>
    public static string Summary(WalkthroughResult r) =>
        $"walk-through '{r.Name}': {ReportText.Pct(r.Evaluation.Accuracy)} per frame, {ReportText.Pct(r.Evaluation.SmoothedAccuracy)} smoothed " +
        $"(a class must persist {r.Evaluation.PersistFrames} frames) on {r.Evaluation.Scored} labelled frames of {r.Evaluation.Frames}";
}

using System.Text.Json;
using Lookout.Core.Evaluation;
using Lookout.Core.Training;

namespace Lookout.Core.Runs;

/// <summary>
/// Where a run stands: finished with its model; stopped before its model but resumable (a fine-tuning run, which
/// <c>train --resume</c> continues); stopped for good (a head run, or one killed before it wrote its plan); or failed
/// with a reason (<see cref="RunSummary.Failure"/>: a full disk, bad data...).
/// </summary>
public enum RunState { Complete, Resumable, Incomplete, Failed }

/// <summary>One line of <c>runs list</c>.</summary>
public sealed record RunSummary(string Id, string Dir, DateTimeOffset Created, string? Backbone, int Classes, string? DatasetHash,
    bool HasModel, int Epochs, double? BestValAccuracy, double? TestAccuracy, int? TestCount, RunState State)
{
    /// <summary>"classify" (a classifier run) or "detect" (<c>train --task detect</c>).</summary>
    public string Task { get; init; } = ClassifyTask;
    /// <summary>A detector run's test mAP@0.5 (null for classifiers or before evaluation).</summary>
    public double? TestMap50 { get; init; }
    /// <summary>A detector run's test mAP@0.5:0.95.</summary>
    public double? TestMap50To95 { get; init; }
    /// <summary>Why a run failed (<see cref="RunState.Failed"/>, or a resumable run's last attempt), else null.</summary>
    public string? Failure { get; init; }

    public const string ClassifyTask = "classify", DetectTask = "detect";
}

/// <summary>
/// The <c>runs/</c> folder of a workspace. New runs get incrementing ids per kind (<c>train1</c>, <c>train2</c>, ...),
/// claimed atomically so two processes never share a folder.
/// </summary>
public sealed class RunStore(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public RunFolder Create(string kind = "train")
    {
        if (kind.Length == 0 || !kind.All(char.IsAsciiLetterLower)) throw new ArgumentException("Run kind must be lower-case letters.", nameof(kind));
        Directory.CreateDirectory(Root);
        for (int n = NextNumber(kind); ; n++)
        {
            var dir = Path.Combine(Root, $"{kind}{n}");
            if (Directory.Exists(dir)) continue;
            Directory.CreateDirectory(dir);
            try
            {
                // The claim: only one creator succeeds in making this marker.
                using var _ = new FileStream(Path.Combine(dir, ".claimed"), FileMode.CreateNew, FileAccess.Write);
                return new RunFolder($"{kind}{n}", dir);
            }
            catch (IOException) when (File.Exists(Path.Combine(dir, ".claimed"))) { }
        }
    }

    public RunFolder Open(string id)
    {
        var dir = Path.Combine(Root, id);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"No run '{id}' in {Root}.");
        return new RunFolder(id, dir);
    }

    /// <summary>All runs, oldest first. Runs with unreadable files are listed with what could be read.</summary>
    public IReadOnlyList<RunSummary> List()
    {
        if (!Directory.Exists(Root)) return [];
        var list = new List<RunSummary>();
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            var run = new RunFolder(Path.GetFileName(dir), dir);
            if (File.Exists(Path.Combine(dir, DetectPlanFile))) { list.Add(DetectSummary(run)); continue; }
            RunManifest? manifest = null;
            EvaluationReport? eval = null;
            try { manifest = run.ReadJson<RunManifest>(run.ManifestPath); } catch (JsonException) { }
            try { eval = File.Exists(run.EvalJsonPath) ? ReportJson.Parse(File.ReadAllText(run.EvalJsonPath)) : null; } catch (JsonException) { }
            IReadOnlyList<EpochMetrics> epochs = [];
            try { if (File.Exists(run.MetricsPath)) epochs = MetricsTsvWriter.Read(run.MetricsPath); } catch (FormatException) { }
            var best = epochs.LastOrDefault(e => e.Improved);
            list.Add(new RunSummary(run.Id, dir, manifest?.Created ?? new DateTimeOffset(Directory.GetCreationTimeUtc(dir), TimeSpan.Zero),
                manifest?.Backbone, manifest?.Labels.Count ?? 0, manifest?.DatasetHash, File.Exists(run.ModelPath),
                epochs.Count, best is null || double.IsNaN(best.ValAccuracy) ? null : best.ValAccuracy, eval?.Accuracy, eval?.Count, StateOf(run))
            { Failure = run.Failure });
        }
        return list.OrderBy(r => r.Created).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>The plan file a detector run writes first (<c>Pipelines.Detect.DetectPlan.FileName</c>).</summary>
    public const string DetectPlanFile = "detect.json";

    /// <summary>A detector run: its manifest's labels, hash and base detector, epochs from metrics.tsv, test mAP from eval.json.</summary>
    private static RunSummary DetectSummary(RunFolder run)
    {
        JsonElement? manifest = ReadElement(run.ManifestPath), eval = ReadElement(run.EvalJsonPath);
        int epochs = 0;
        try { if (File.Exists(run.MetricsPath)) epochs = Math.Max(0, File.ReadLines(run.MetricsPath).Count() - 1); } catch (IOException) { }
        string? Str(JsonElement? e, string name) => e is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        double? Num(JsonElement? e, string name) => e is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        int labels = manifest is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Array ? l.GetArrayLength() : 0;
        var created = DateTimeOffset.TryParse(Str(manifest, "created"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var c)
            ? c : new DateTimeOffset(Directory.GetCreationTimeUtc(run.Dir), TimeSpan.Zero);
        bool hasModel = File.Exists(run.ModelPath);
        var state = hasModel ? RunState.Complete : Directory.Exists(Path.Combine(run.Dir, "checkpoints")) ? RunState.Resumable
            : File.Exists(run.FailurePath) ? RunState.Failed : RunState.Incomplete;
        return new RunSummary(run.Id, run.Dir, created, Str(manifest, "detector"), labels, Str(manifest, "datasetHash"), hasModel, epochs, null, null,
            Num(eval, "images") is { } n ? (int)n : null, state)
        { Task = RunSummary.DetectTask, TestMap50 = Num(eval, "map50"), TestMap50To95 = Num(eval, "map50To95"), Failure = run.Failure };
    }

    private static JsonElement? ReadElement(string path)
    {
        try { return File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone() : null; }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
    }

    public static RunState StateOf(RunFolder run) =>
        File.Exists(run.ModelPath) ? RunState.Complete : File.Exists(run.FineTunePlanPath) ? RunState.Resumable
            : File.Exists(run.FailurePath) ? RunState.Failed : RunState.Incomplete;

    private int NextNumber(string kind)
    {
        int max = 0;
        foreach (var dir in Directory.EnumerateDirectories(Root, kind + "*"))
            if (int.TryParse(Path.GetFileName(dir).AsSpan(kind.Length), out var n) && n > max) max = n;
        return max + 1;
    }
}

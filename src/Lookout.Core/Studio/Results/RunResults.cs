using Lookout.Core.Evaluation;
using Lookout.Core.Runs;
using Lookout.Core.Studio.Fixes;
using Lookout.Core.Training;

namespace Lookout.Core.Studio.Results;

/// <summary>A run's recorded inputs: when, which backbone and seed, the data hash, the classes, and pictures per split.</summary>
public sealed record ManifestView(DateTimeOffset Created, string Backbone, int Seed, string DatasetHash, string CodeVersion,
    IReadOnlyList<string> Labels, IReadOnlyDictionary<string, int> Splits);

/// <summary>One epoch of metrics.tsv; a number that is not finite (no validation images) is null, as JSON needs.</summary>
public sealed record EpochView(int Epoch, double? TrainLoss, double? TrainAccuracy, double? ValLoss, double? ValAccuracy, bool Improved, double Seconds)
{
    public static EpochView Of(EpochMetrics m) => new(m.Epoch, F(m.TrainLoss), F(m.TrainAccuracy), F(m.ValLoss), F(m.ValAccuracy), m.Improved, Math.Round(m.Elapsed.TotalSeconds, 2));

    internal static double? F(double v) => double.IsFinite(v) ? v : null;
}

/// <summary>The test evaluation as eval.json recorded it, without file paths (the pictures are reached through predictions).</summary>
public sealed record EvalView(int Count, int Correct, double Accuracy, Interval AccuracyCi, double MacroF1, double? LogLoss,
    IReadOnlyList<string> Labels, IReadOnlyList<ClassMetrics> PerClass, int[][] Confusion, int? CalledUnknown);

/// <summary>Everything the results page shows about one run, read from its folder (nothing is recomputed here).</summary>
public sealed record RunResults(string Id, bool HasModel, string State, ManifestView? Manifest, string? OptionsJson,
    IReadOnlyList<EpochView> Epochs, EvalView? Test, IReadOnlyList<ItemPrediction> TopLosses, string? OpenSetJson);

/// <summary>What changed between two runs' data: pictures per split added and removed, classes added and removed, and the fixes made in between.</summary>
public sealed record DataDiff(IReadOnlyDictionary<string, SplitDiff> Splits, IReadOnlyList<string> ClassesAdded,
    IReadOnlyList<string> ClassesRemoved, IReadOnlyList<Fix> Fixes);

public sealed record SplitDiff(int Added, int Removed);

public static class RunResultsReader
{
    public const int TopLossCount = 16;

    public static RunFolder Open(StudioProject project, string run)
    {
        var store = new RunStore(project.Workspace.RunsDir);
        if (run.Length == 0 || run.Contains('/') || run.Contains('\\') || run.StartsWith('.') || !Directory.Exists(Path.Combine(store.Root, run)))
            throw new StudioException($"no run '{run}'", StudioProblem.NotFound);
        return store.Open(run);
    }

    public static async Task<RunResults> ReadAsync(StudioProject project, string runId, CancellationToken ct = default)
    {
        var run = Open(project, runId);
        var manifest = run.ReadJson<RunManifest>(run.ManifestPath);
        var eval = File.Exists(run.EvalJsonPath) ? ReportJson.Parse(await File.ReadAllTextAsync(run.EvalJsonPath, ct)) : null;
        IReadOnlyList<EpochMetrics> epochs = File.Exists(run.MetricsPath) ? MetricsTsvWriter.Read(run.MetricsPath) : [];
        var predictions = await RunPredictions.LoadOrComputeAsync(project, run, ct);
        var openSet = Path.Combine(run.Dir, "eval-openset.json");
        return new RunResults(run.Id, File.Exists(run.ModelPath), RunStore.StateOf(run).ToString().ToLowerInvariant(), ManifestOf(manifest),
            File.Exists(run.OptionsPath) ? await File.ReadAllTextAsync(run.OptionsPath, ct) : null, epochs.Select(EpochView.Of).ToList(),
            eval is null ? null : new EvalView(eval.Count, eval.Correct, eval.Accuracy, eval.AccuracyCi, eval.MacroF1, EpochView.F(eval.LogLoss), eval.Labels,
                eval.PerClass, eval.Confusion, eval.CalledUnknown),
            predictions.Where(p => p.Predicted != p.Truth || p.TrueProbability < 0.5).OrderBy(p => p.TrueProbability).Take(TopLossCount).ToList(),
            File.Exists(openSet) ? await File.ReadAllTextAsync(openSet, ct) : null);
    }

    /// <summary>The predictions behind one confusion cell (either side null: the whole row or column).</summary>
    public static async Task<IReadOnlyList<ItemPrediction>> CellAsync(StudioProject project, string runId, string? actual, string? predicted, CancellationToken ct = default)
    {
        var all = await RunPredictions.LoadOrComputeAsync(project, Open(project, runId), ct);
        return all.Where(p => (actual is null || p.Truth == actual) && (predicted is null || p.Predicted == predicted)).ToList();
    }

    public static DataDiff Diff(StudioProject project, string a, string b)
    {
        var ma = Open(project, a).ReadJson<RunManifest>(Open(project, a).ManifestPath);
        var mb = Open(project, b).ReadJson<RunManifest>(Open(project, b).ManifestPath);
        var splits = new Dictionary<string, SplitDiff>(StringComparer.Ordinal);
        foreach (var split in (ma?.Splits.Keys ?? []).Union(mb?.Splits.Keys ?? []).Order(StringComparer.Ordinal))
        {
            var sa = ma?.Splits.GetValueOrDefault(split)?.Items.ToHashSet(StringComparer.Ordinal) ?? [];
            var sb = mb?.Splits.GetValueOrDefault(split)?.Items.ToHashSet(StringComparer.Ordinal) ?? [];
            splits[split] = new SplitDiff(sb.Count(s => !sa.Contains(s)), sa.Count(s => !sb.Contains(s)));
        }
        var la = ma?.Labels ?? [];
        var lb = mb?.Labels ?? [];
        var (from, to) = (ma?.Created ?? DateTimeOffset.MinValue, mb?.Created ?? DateTimeOffset.MaxValue);
        if (from > to) (from, to) = (to, from);
        var fixes = FixJournal.Since(project, from).Where(f => f.Time <= to).ToList();
        return new DataDiff(splits, lb.Except(la).ToList(), la.Except(lb).ToList(), fixes);
    }

    private static ManifestView? ManifestOf(RunManifest? m) => m is null ? null :
        new ManifestView(m.Created, m.Backbone, m.Seed, m.DatasetHash, m.CodeVersion, m.Labels, m.Splits.ToDictionary(kv => kv.Key, kv => kv.Value.Count));
}

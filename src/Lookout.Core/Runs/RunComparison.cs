using System.Text.Json;
using Lookout.Core.Evaluation;
using Lookout.Core.Training;

namespace Lookout.Core.Runs;

/// <summary>One option (a dotted path into options.json) that differs between two runs; null = absent.</summary>
public sealed record OptionDifference(string Key, string? A, string? B);

/// <summary>A class's test F1 in both runs (null where the run has no such class or no evaluation).</summary>
public sealed record ClassDelta(string Label, int SupportA, int SupportB, double? F1A, double? F1B, double? Delta);

/// <summary>What one run recorded, as far as it could be read.</summary>
public sealed record RunSide(string Id, string? Backbone, string? BackboneHash, string? CodeVersion, string? DatasetHash, int Seed,
    int Epochs, double? BestValAccuracy, int? TestCount, int? TestCorrect, double? TestAccuracy, Interval? TestAccuracyCi, double? MacroF1);

/// <summary>
/// <c>lookout runs compare a b</c> as data: the recorded inputs (data hash, backbone, code, options) side by side and
/// the test metrics with their intervals, so "b is better" is only said when it is more than noise.
/// </summary>
public sealed record RunComparison(
    RunSide A,
    RunSide B,
    bool SameDataset,
    bool SameBackbone,
    bool SameCode,
    IReadOnlyList<OptionDifference> Options,
    double? AccuracyDelta,
    bool? IntervalsOverlap,
    IReadOnlyList<ClassDelta> PerClass);

public static class RunComparer
{
    public static RunComparison Compare(RunFolder a, RunFolder b)
    {
        var (sa, ea, oa) = Read(a);
        var (sb, eb, ob) = Read(b);
        var labels = (ea?.Labels ?? []).Concat(eb?.Labels ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        var perClass = labels.Select(l =>
        {
            var ma = ea?.PerClass.FirstOrDefault(m => m.Label == l);
            var mb = eb?.PerClass.FirstOrDefault(m => m.Label == l);
            return new ClassDelta(l, ma?.Support ?? 0, mb?.Support ?? 0, ma?.F1, mb?.F1, ma is null || mb is null ? null : mb.F1 - ma.F1);
        }).ToList();
        bool? overlap = sa.TestAccuracyCi is { } ca && sb.TestAccuracyCi is { } cb ? ca.Low <= cb.High && cb.Low <= ca.High : null;
        return new RunComparison(sa, sb,
            sa.DatasetHash is not null && sa.DatasetHash == sb.DatasetHash,
            sa.Backbone == sb.Backbone && sa.BackboneHash == sb.BackboneHash,
            sa.CodeVersion is not null && sa.CodeVersion == sb.CodeVersion,
            DiffOptions(oa, ob),
            sa.TestAccuracy is { } x && sb.TestAccuracy is { } y ? y - x : null,
            overlap, perClass);
    }

    /// <summary>Every leaf of two JSON documents whose raw text differs, keyed by dotted path, in key order.</summary>
    public static IReadOnlyList<OptionDifference> DiffOptions(JsonElement? a, JsonElement? b)
    {
        var fa = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var fb = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (a is { } ja) Flatten(ja, "", fa);
        if (b is { } jb) Flatten(jb, "", fb);
        return fa.Keys.Union(fb.Keys).Order(StringComparer.Ordinal)
            .Select(k => new OptionDifference(k, fa.GetValueOrDefault(k), fb.GetValueOrDefault(k)))
            .Where(d => d.A != d.B).ToList();
    }

    private static void Flatten(JsonElement e, string prefix, IDictionary<string, string> into)
    {
        if (e.ValueKind == JsonValueKind.Object)
            foreach (var p in e.EnumerateObject()) Flatten(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}", into);
        else into[prefix] = e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
    }

    private static (RunSide, EvaluationReport?, JsonElement?) Read(RunFolder run)
    {
        RunManifest? manifest = null;
        EvaluationReport? eval = null;
        JsonElement? options = null;
        IReadOnlyList<EpochMetrics> epochs = [];
        try { manifest = run.ReadJson<RunManifest>(run.ManifestPath); } catch (JsonException) { }
        try { if (File.Exists(run.EvalJsonPath)) eval = ReportJson.Parse(File.ReadAllText(run.EvalJsonPath)); } catch (JsonException) { }
        try { if (File.Exists(run.OptionsPath)) options = JsonDocument.Parse(File.ReadAllText(run.OptionsPath)).RootElement.Clone(); } catch (JsonException) { }
        try { if (File.Exists(run.MetricsPath)) epochs = MetricsTsvWriter.Read(run.MetricsPath); } catch (FormatException) { }
        var best = epochs.LastOrDefault(e => e.Improved);
        var side = new RunSide(run.Id, manifest?.Backbone, manifest?.BackboneHash, manifest?.CodeVersion, manifest?.DatasetHash, manifest?.Seed ?? 0,
            epochs.Count, best is null || double.IsNaN(best.ValAccuracy) ? null : best.ValAccuracy,
            eval?.Count, eval?.Correct, eval?.Accuracy, eval?.AccuracyCi, eval?.MacroF1);
        return (side, eval, options);
    }
}

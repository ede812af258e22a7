namespace Lookout.Core.Datasets;

/// <summary>Usable items of one label per split.</summary>
public sealed record LabelCounts(string Label, int Train, int Val, int Test, int Unassigned)
{
    public int Total => Train + Val + Test + Unassigned;
}

/// <summary>How many frames one video gave (and under which label).</summary>
public sealed record SourceCount(string Source, string Label, int Frames);

public sealed record Resolution(int Width, int Height)
{
    public override string ToString() => $"{Width}x{Height}";
}

/// <summary>Smallest, median and largest image by pixel count.</summary>
public sealed record ResolutionSummary(Resolution Min, Resolution Median, Resolution Max);

/// <summary>
/// One content hash found at several paths. <see cref="ConflictingLabels"/>: the copies disagree on the label;
/// <see cref="CrossSplit"/>: copies sit in different splits (leakage, only possible with folder-given splits).
/// </summary>
public sealed record DuplicateSet(string Sha256, IReadOnlyList<string> Paths, IReadOnlyList<string> Labels, bool ConflictingLabels, bool CrossSplit);

/// <summary>Everything <c>lookout data stats</c> shows; computed once, rendered by the hosts.</summary>
public sealed record DatasetStats(
    IReadOnlyList<LabelCounts> Labels,
    int UsableItems,
    double ImbalanceRatio,
    string? ImbalanceWarning,
    IReadOnlyList<SourceCount> Sources,
    ResolutionSummary? Resolution,
    IReadOnlyList<DuplicateSet> Duplicates,
    IReadOnlyList<ScanProblem> Unreadable,
    int Missing,
    string ManifestHash);

/// <summary>Pure computation of <see cref="DatasetStats"/> from catalog rows.</summary>
public static class DatasetStatsCalculator
{
    /// <summary>Largest/smallest class size above which the dataset is called imbalanced.</summary>
    public const double DefaultImbalanceThreshold = 3.0;

    public static DatasetStats Compute(IReadOnlyList<CatalogItem> items, IReadOnlyList<LabeledImage> snapshot, double imbalanceThreshold = DefaultImbalanceThreshold)
    {
        var usable = items.Where(i => i.IsUsable).ToList();
        var labels = usable.GroupBy(i => i.Label!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new LabelCounts(g.Key, g.Count(i => i.Split == Split.Train), g.Count(i => i.Split == Split.Val),
                g.Count(i => i.Split == Split.Test), g.Count(i => i.Split == Split.Unassigned)))
            .ToList();

        double ratio = labels.Count == 0 ? 0 : (double)labels.Max(l => l.Total) / labels.Min(l => l.Total);
        string? warning = null;
        if (labels.Count > 1 && ratio > imbalanceThreshold)
        {
            var big = labels.MaxBy(l => l.Total)!; var small = labels.MinBy(l => l.Total)!;
            warning = $"imbalanced: '{big.Label}' has {big.Total} items, '{small.Label}' only {small.Total} ({ratio:0.#}x)";
        }

        var sources = usable.Where(i => i.Kind == ItemKind.Frame).GroupBy(i => i.Source, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SourceCount(g.Key, g.First().Label!, g.Count())).ToList();

        var duplicates = usable.GroupBy(i => i.Sha256!, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g =>
            {
                var distinctLabels = g.Select(i => i.Label!).Distinct().Order(StringComparer.Ordinal).ToList();
                var splits = g.Select(i => i.Split).Where(s => s != Split.Unassigned).Distinct().Count();
                return new DuplicateSet(g.Key, g.Select(i => i.Path).Order(StringComparer.Ordinal).ToList(), distinctLabels, distinctLabels.Count > 1, splits > 1);
            })
            .OrderByDescending(d => d.ConflictingLabels).ThenBy(d => d.Paths[0], StringComparer.Ordinal).ToList();

        var unreadable = items.Where(i => i.Status == ItemStatus.Unreadable)
            .Select(i => new ScanProblem(i.Path, i.Reason ?? "unreadable")).ToList();

        return new DatasetStats(labels, usable.Count, ratio, warning, sources, Resolutions(usable), duplicates, unreadable,
            items.Count(i => i.Status == ItemStatus.Missing && i.Kind != ItemKind.Frame), DatasetManifest.Hash(snapshot));
    }

    private static ResolutionSummary? Resolutions(IReadOnlyList<CatalogItem> usable)
    {
        var sizes = usable.Where(i => i.Width is > 0 && i.Height is > 0)
            .Select(i => new Resolution(i.Width!.Value, i.Height!.Value))
            .OrderBy(r => (long)r.Width * r.Height).ThenBy(r => r.Width).ToList();
        return sizes.Count == 0 ? null : new ResolutionSummary(sizes[0], sizes[(sizes.Count - 1) / 2], sizes[^1]);
    }
}

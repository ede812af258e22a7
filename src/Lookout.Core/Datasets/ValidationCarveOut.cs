namespace Lookout.Core.Datasets;

/// <summary>What <see cref="ValidationCarveOut.Apply"/> did: the items with their splits for this run, and how many moved.</summary>
public sealed record CarveOutResult(IReadOnlyList<LabeledImage> Items, int Carved, int TrainBefore);

/// <summary>
/// For a run whose data has training images but no validation split (a <c>train/</c>-only folder, or a folder the
/// user declared training-only): holds out a share of the training images, in memory only, to choose epochs and
/// calibrate "unknown" on. Whole leakage groups move (a video never straddles), stratified per label, seeded, with
/// the same splitter as <c>data split</c>. The user's folder splits in the catalog are never changed.
/// </summary>
public static class ValidationCarveOut
{
    public const double DefaultFraction = 0.15;

    public static CarveOutResult Apply(IReadOnlyList<LabeledImage> items, double fraction, int seed)
    {
        if (fraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in (0, 1)");
        var train = items.Where(i => i.Split == Split.Train).ToList();
        if (items.Any(i => i.Split == Split.Val) || train.Count == 0) return new CarveOutResult(items, 0, train.Count);
        var candidates = train.Select(i => new SplitCandidate(i.Path, i.Label, i.Group, Split.Unassigned, SplitOrigin.None)).ToList();
        var assigned = DatasetSplitter.Assign(candidates, new SplitOptions { Seed = seed, Train = 1 - fraction, Val = fraction, Test = 0 });
        var result = items.Select(i => i.Split == Split.Train && assigned.GetValueOrDefault(i.Path) == Split.Val ? i with { Split = Split.Val } : i).ToList();
        return new CarveOutResult(result, result.Count(i => i.Split == Split.Val), train.Count);
    }
}

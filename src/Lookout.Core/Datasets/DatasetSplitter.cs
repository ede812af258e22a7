using System.Security.Cryptography;
using System.Text;

namespace Lookout.Core.Datasets;

/// <summary>Options for <see cref="DatasetSplitter"/>: seed and train/val/test fractions (must sum to 1).</summary>
public sealed record SplitOptions
{
    public int Seed { get; init; }
    public double Train { get; init; } = 0.7;
    public double Val { get; init; } = 0.15;
    public double Test { get; init; } = 0.15;
    /// <summary>Forget earlier automatic assignments and split again (folder and manual splits are kept).</summary>
    public bool Reassign { get; init; }

    public void Validate()
    {
        if (Train < 0 || Val < 0 || Test < 0 || Math.Abs(Train + Val + Test - 1) > 1e-6)
            throw new ArgumentException($"split fractions must be non-negative and sum to 1 (got {Train}/{Val}/{Test})");
    }
}

/// <summary>What the splitter needs to know about one usable item.</summary>
public sealed record SplitCandidate(string Path, string Label, string Group, Split Split, SplitOrigin Origin);

/// <summary>
/// Deterministic, stratified, grouped splitting. Groups (see <see cref="ItemGroups"/>) never straddle splits:
/// a group with any assigned member puts its new members in that split. Unassigned groups are ordered by a
/// hash of (seed, group key) — independent of file order and names — and each goes, per label, to the split
/// furthest below its target share. Pure: returns the new assignments only.
/// </summary>
public static class DatasetSplitter
{
    private static readonly Split[] Order = [Split.Train, Split.Val, Split.Test];

    public static IReadOnlyDictionary<string, Split> Assign(IReadOnlyList<SplitCandidate> items, SplitOptions options)
    {
        options.Validate();
        var current = items.ToDictionary(i => i.Path,
            i => options.Reassign && i.Origin == SplitOrigin.Auto ? Split.Unassigned : i.Split, StringComparer.Ordinal);
        var result = new Dictionary<string, Split>(StringComparer.Ordinal);
        var groups = items.GroupBy(i => i.Group, StringComparer.Ordinal).ToList();

        // 1. Groups already (partly) placed keep their split for every member.
        var open = new List<List<SplitCandidate>>();
        foreach (var g in groups)
        {
            var members = g.ToList();
            var placed = members.Select(m => current[m.Path]).Where(s => s != Split.Unassigned).ToList();
            if (placed.Count == 0) { open.Add(members); continue; }
            var split = placed.GroupBy(s => s).OrderByDescending(x => x.Count()).ThenBy(x => x.Key).First().Key;
            foreach (var m in members.Where(m => current[m.Path] == Split.Unassigned)) Set(m.Path, split);
        }

        // 2. Open groups, per label (the group's most common label), to the split with the largest deficit.
        double[] fractions = [options.Train, options.Val, options.Test];
        var totalsByLabel = items.GroupBy(i => i.Label).ToDictionary(g => g.Key, g => g.Count());
        var counts = items.Where(i => current[i.Path] != Split.Unassigned)
            .GroupBy(i => (i.Label, current[i.Path])).ToDictionary(g => g.Key, g => g.Count());
        foreach (var members in open.OrderBy(m => Rank(options.Seed, m[0].Group), StringComparer.Ordinal))
        {
            var label = members.GroupBy(m => m.Label).OrderByDescending(x => x.Count()).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key;
            var best = Split.Train;
            double bestDeficit = double.NegativeInfinity;
            for (int s = 0; s < Order.Length; s++)
            {
                if (fractions[s] == 0) continue;
                double deficit = fractions[s] * totalsByLabel[label] - counts.GetValueOrDefault((label, Order[s]));
                if (deficit > bestDeficit + 1e-9) { bestDeficit = deficit; best = Order[s]; }
            }
            foreach (var m in members)
            {
                Set(m.Path, best);
                counts[(m.Label, best)] = counts.GetValueOrDefault((m.Label, best)) + 1;
            }
        }
        return result;

        void Set(string path, Split split) { result[path] = split; current[path] = split; }
    }

    private static string Rank(int seed, string group) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\n{group}")));
}

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
    /// <summary>
    /// When a class's frames must be split within a video (too few sources), this share of the video's frames is left
    /// out before each later time block (at least one frame), so no split boundary separates near-identical frames.
    /// </summary>
    public double TimeGapFraction { get; init; } = 0.05;

    public void Validate()
    {
        if (Train < 0 || Val < 0 || Test < 0 || Math.Abs(Train + Val + Test - 1) > 1e-6)
            throw new ArgumentException($"split fractions must be non-negative and sum to 1 (got {Train}/{Val}/{Test})");
        if (TimeGapFraction is < 0 or >= 0.3) throw new ArgumentException($"time gap fraction must be in [0, 0.3) (got {TimeGapFraction})");
    }
}

/// <summary>What the splitter needs to know about one usable item (<paramref name="TimeMs"/>: a frame's time in its video).</summary>
public sealed record SplitCandidate(string Path, string Label, string Group, Split Split, SplitOrigin Origin, long? TimeMs = null);

/// <summary>A class whose frames were split by time within its videos, and how many frames the gaps left out.</summary>
public sealed record TimeBlockedClass(string Label, int Sources, int Excluded);

/// <summary>The new assignments, and the classes that had to be split by time within their videos.</summary>
public sealed record SplitPlan(IReadOnlyDictionary<string, Split> Assignments, IReadOnlyList<TimeBlockedClass> TimeBlocked);

/// <summary>
/// Deterministic, stratified, grouped splitting. Groups (see <see cref="ItemGroups"/>: a video's frames, identical
/// files) never straddle splits: a group with any assigned member puts its new members in that split. Per class:
/// <list type="bullet">
/// <item>With at least as many sources (groups) as splits, every split gets at least one whole source of the class
/// (the source whose size is closest to the split's share), then the other sources go, in an order set by a hash of
/// (seed, group key), to the split furthest below its share. So a test set never silently lacks a class.</item>
/// <item>With fewer sources, all of them videos, each video is cut into time blocks (train, then val, then test, by
/// the fractions) with <see cref="SplitOptions.TimeGapFraction"/> of its frames left out (<see cref="Split.Excluded"/>)
/// before each later block; the plan names these classes so the run can say so.</item>
/// <item>Otherwise (one or two photos) the largest-deficit rule alone.</item>
/// </list>
/// Independent of file order and names. Pure: returns the new assignments only.
/// </summary>
public static class DatasetSplitter
{
    private static readonly Split[] Order = [Split.Train, Split.Val, Split.Test];

    public static IReadOnlyDictionary<string, Split> Assign(IReadOnlyList<SplitCandidate> items, SplitOptions options) =>
        Plan(items, options).Assignments;

    public static SplitPlan Plan(IReadOnlyList<SplitCandidate> items, SplitOptions options)
    {
        options.Validate();
        var current = items.ToDictionary(i => i.Path,
            i => options.Reassign && i.Origin == SplitOrigin.Auto ? Split.Unassigned : i.Split, StringComparer.Ordinal);
        var result = new Dictionary<string, Split>(StringComparer.Ordinal);
        var groups = items.GroupBy(i => i.Group, StringComparer.Ordinal).ToList();

        // 1. Groups already (partly) placed keep their split for every member.
        var open = new List<List<SplitCandidate>>();
        var placedGroups = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal); // label -> placed group keys
        foreach (var g in groups)
        {
            var members = g.ToList();
            var placed = members.Select(m => current[m.Path]).Where(s => s is not (Split.Unassigned or Split.Excluded)).ToList();
            if (placed.Count == 0) { open.Add(members); continue; } // gaps of an earlier time split are redone with it
            var split = placed.GroupBy(s => s).OrderByDescending(x => x.Count()).ThenBy(x => x.Key).First().Key;
            foreach (var m in members.Where(m => current[m.Path] == Split.Unassigned)) Set(m.Path, split);
            var label = MajorityLabel(members);
            if (!placedGroups.TryGetValue(label, out var set)) placedGroups[label] = set = new(StringComparer.Ordinal);
            set.Add(g.Key);
        }

        double[] fractions = [options.Train, options.Val, options.Test];
        var active = Order.Where((_, s) => fractions[s] > 0).ToList();
        var totalsByLabel = items.GroupBy(i => i.Label).ToDictionary(g => g.Key, g => g.Count());
        var counts = items.Where(i => current[i.Path] is not (Split.Unassigned or Split.Excluded))
            .GroupBy(i => (i.Label, current[i.Path])).ToDictionary(g => g.Key, g => g.Count());
        var timeBlocked = new List<TimeBlockedClass>();

        // 2. Open groups, class by class.
        foreach (var byLabel in open.GroupBy(MajorityLabel).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var label = byLabel.Key;
            var pending = byLabel.OrderBy(m => Rank(options.Seed, m[0].Group), StringComparer.Ordinal).ToList();
            int sources = pending.Count + (placedGroups.TryGetValue(label, out var p) ? p.Count : 0);
            if (sources >= active.Count)
            {
                GuaranteeEverySplit(label, pending);
                foreach (var members in pending) Place(members, Deficit(label));
            }
            else if (pending.All(m => m.All(i => i.TimeMs is not null)) && pending.Any(m => m.Count >= 3))
            {
                int excluded = 0;
                foreach (var members in pending) excluded += TimeBlocks(members);
                timeBlocked.Add(new TimeBlockedClass(label, sources, excluded));
            }
            else foreach (var members in pending) Place(members, Deficit(label));
        }
        return new SplitPlan(result, timeBlocked);

        void Set(string path, Split split) { result[path] = split; current[path] = split; }

        void Place(List<SplitCandidate> members, Split split)
        {
            foreach (var m in members)
            {
                Set(m.Path, split);
                counts[(m.Label, split)] = counts.GetValueOrDefault((m.Label, split)) + 1;
            }
        }

        Split Deficit(string label)
        {
            var best = Split.Train;
            double bestDeficit = double.NegativeInfinity;
            for (int s = 0; s < Order.Length; s++)
            {
                if (fractions[s] == 0) continue;
                double deficit = fractions[s] * totalsByLabel[label] - counts.GetValueOrDefault((label, Order[s]));
                if (deficit > bestDeficit + 1e-9) { bestDeficit = deficit; best = Order[s]; }
            }
            return best;
        }

        // Val and test first (they are the small ones), each taking the source closest to its share; train keeps at
        // least one source. Sources already placed count.
        void GuaranteeEverySplit(string label, List<List<SplitCandidate>> pending)
        {
            foreach (var split in active.Where(s => s != Split.Train).Append(Split.Train))
            {
                if (counts.GetValueOrDefault((label, split)) > 0 || pending.Count == 0) continue;
                bool trainStillEmpty = split != Split.Train && active.Contains(Split.Train) && counts.GetValueOrDefault((label, Split.Train)) == 0;
                if (trainStillEmpty && pending.Count == 1) continue;
                double target = fractions[Array.IndexOf(Order, split)] * totalsByLabel[label];
                var pick = pending.OrderBy(m => Math.Abs(m.Count - target)).First(); // stable: ties keep the hash order
                pending.Remove(pick);
                Place(pick, split);
            }
        }

        // One video's frames in time order: train block, then val, then test, with a gap left out before each later block.
        int TimeBlocks(List<SplitCandidate> members)
        {
            var frames = members.OrderBy(m => m.TimeMs).ThenBy(m => m.Path, StringComparer.Ordinal).ToList();
            int n = frames.Count;
            int gap = options.TimeGapFraction > 0 ? Math.Max(1, (int)Math.Round(options.TimeGapFraction * n)) : 0;
            var sizes = active.Select(s => fractions[Array.IndexOf(Order, s)]).ToList();
            // Block lengths from the fractions of what is left after the gaps; each block keeps at least one frame.
            int usable = n - gap * (active.Count - 1);
            if (usable < active.Count) { gap = 0; usable = n; }
            var lengths = sizes.Select(f => Math.Max(1, (int)Math.Round(f * usable))).ToArray();
            lengths[0] = Math.Max(1, usable - lengths.Skip(1).Sum());
            int i = 0, excluded = 0;
            for (int b = 0; b < active.Count; b++)
            {
                if (b > 0) for (int k = 0; k < gap && i < n; k++, i++) { Set(frames[i].Path, Split.Excluded); excluded++; }
                for (int k = 0; k < lengths[b] && i < n; k++, i++) Place([frames[i]], active[b]);
            }
            for (; i < n; i++) Place([frames[i]], active[^1]);
            return excluded;
        }
    }

    private static string MajorityLabel(List<SplitCandidate> members) =>
        members.GroupBy(m => m.Label).OrderByDescending(x => x.Count()).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key;

    private static string Rank(int seed, string group) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\n{group}")));
}

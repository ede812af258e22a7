namespace Lookout.Core.Datasets.Boxes;

/// <summary>
/// A box dataset's split, by image path, and the videos whose frames had to be split by time (see <see cref="BoxSplit"/>).
/// </summary>
public sealed record BoxSplitResult(IReadOnlyDictionary<string, Split> Splits, IReadOnlyList<string> SplitByTime);

/// <summary>
/// Train/val/test for a box dataset. Split folders the export already has (<c>train/</c>, <c>val/</c> or
/// <c>valid/</c>, <c>test/</c> anywhere in the path, as YOLO and Roboflow exports lay them out) are honoured; the
/// rest is split by leakage group (<see cref="BoxedImage.Group"/>), seeded: whole groups are shuffled and dealt out
/// so that frames of one video never straddle splits. With fewer than three groups there is nothing to deal out
/// honestly; then each video's frames are split by time instead (the earliest train, then val, then the latest test,
/// as the classifier's splitter does for a class with too few sources), so one boxed walk-through still gets a test.
/// </summary>
public static class BoxSplit
{
    private const int MinFramesToSplitByTime = 3;

    public static BoxSplitResult Assign(IReadOnlyList<BoxedImage> images, string root, int seed, double val = 0.15, double test = 0.15)
    {
        var result = new Dictionary<string, Split>(StringComparer.Ordinal);
        var rest = new List<BoxedImage>();
        foreach (var img in images)
        {
            if (FolderSplit(Path.GetRelativePath(root, img.Path)) is { } s) result[img.Path] = s;
            else rest.Add(img);
        }
        var groups = rest.GroupBy(i => i.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        // Split folders that are there already give the held-out images; then the few groups left all train.
        if (groups.Count < 3) return new BoxSplitResult(result, SplitByTime(groups, root, result, val, test, allowed: result.Count == 0));
        var rng = new Random(seed);
        var order = groups.ToArray();
        rng.Shuffle(order);
        int n = order.Length;
        int nTest = Math.Max(1, (int)Math.Round(n * test));
        int nVal = Math.Max(1, (int)Math.Round(n * val));
        for (int k = 0; k < n; k++)
        {
            var split = k < nTest ? Split.Test : k < nTest + nVal ? Split.Val : Split.Train;
            foreach (var img in order[k]) result[img.Path] = split;
        }
        return new BoxSplitResult(result, []);
    }

    /// <summary>Frames of each video in time order: train, then val, then test blocks. Photos (and too-short videos) train.</summary>
    private static List<string> SplitByTime(IEnumerable<IGrouping<string, BoxedImage>> groups, string root, Dictionary<string, Split> result, double val, double test, bool allowed)
    {
        var split = new List<string>();
        foreach (var g in groups)
        {
            var frames = g.OrderBy(i => BoxGroups.FrameNumber(Path.GetRelativePath(root, i.Path)) ?? 0).ThenBy(i => i.Path, StringComparer.Ordinal).ToList();
            bool byTime = allowed && g.Key.StartsWith(BoxGroups.VideoPrefix, StringComparison.Ordinal) && frames.Count >= MinFramesToSplitByTime;
            int nTest = byTime ? Math.Max(1, (int)Math.Round(frames.Count * test)) : 0;
            int nVal = byTime ? Math.Max(1, (int)Math.Round(frames.Count * val)) : 0;
            int trainEnd = frames.Count - nTest - nVal;
            for (int k = 0; k < frames.Count; k++)
                result[frames[k].Path] = k < trainEnd ? Split.Train : k < trainEnd + nVal ? Split.Val : Split.Test;
            if (byTime) split.Add(g.Key[BoxGroups.VideoPrefix.Length..]);
        }
        return split;
    }

    private static Split? FolderSplit(string rel)
    {
        foreach (var part in rel.Replace('\\', '/').Split('/')[..^1])
            switch (part.ToLowerInvariant())
            {
                case "train": return Split.Train;
                case "val" or "valid" or "validation": return Split.Val;
                case "test": return Split.Test;
            }
        return null;
    }
}

namespace Lookout.Core.Datasets.Boxes;

/// <summary>
/// Train/val/test for a box dataset. Split folders the export already has (<c>train/</c>, <c>val/</c> or
/// <c>valid/</c>, <c>test/</c> anywhere in the path, as YOLO and Roboflow exports lay them out) are honoured; the
/// rest is split by leakage group (<see cref="BoxedImage.Group"/>), seeded: whole groups are shuffled and dealt out
/// so that frames of one video never straddle splits.
/// </summary>
public static class BoxSplit
{
    public static IReadOnlyDictionary<string, Split> Assign(IReadOnlyList<BoxedImage> images, string root, int seed, double val = 0.15, double test = 0.15)
    {
        var result = new Dictionary<string, Split>(StringComparer.Ordinal);
        var rest = new List<BoxedImage>();
        foreach (var img in images)
        {
            if (FolderSplit(Path.GetRelativePath(root, img.Path)) is { } s) result[img.Path] = s;
            else rest.Add(img);
        }
        var groups = rest.GroupBy(i => i.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var rng = new Random(seed);
        var order = groups.ToArray();
        rng.Shuffle(order);
        int n = order.Length;
        int nTest = n >= 3 ? Math.Max(1, (int)Math.Round(n * test)) : 0;
        int nVal = n >= 3 ? Math.Max(1, (int)Math.Round(n * val)) : 0;
        for (int k = 0; k < n; k++)
        {
            var split = k < nTest ? Split.Test : k < nTest + nVal ? Split.Val : Split.Train;
            foreach (var img in order[k]) result[img.Path] = split;
        }
        return result;
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

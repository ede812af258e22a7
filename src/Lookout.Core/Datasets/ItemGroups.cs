namespace Lookout.Core.Datasets;

/// <summary>
/// Leakage groups: items that must share a split. Frames of one video are one group, and exact duplicates
/// (same SHA-256) join each other's groups, transitively (union-find). The key is content-based — the source
/// video's path for groups with frames, else the smallest content hash — so it is stable across scans.
/// </summary>
public static class ItemGroups
{
    /// <returns>Group key per item path.</returns>
    public static IReadOnlyDictionary<string, string> Compute(IReadOnlyList<CatalogItem> items)
    {
        var parent = new int[items.Count];
        for (int i = 0; i < parent.Length; i++) parent[i] = i;
        int Find(int x) { while (parent[x] != x) { parent[x] = parent[parent[x]]; x = parent[x]; } return x; }
        void Union(int a, int b) { a = Find(a); b = Find(b); if (a != b) parent[Math.Max(a, b)] = Math.Min(a, b); }

        var firstBySha = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstBySource = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item.Sha256 is { } sha)
            {
                if (firstBySha.TryGetValue(sha, out var j)) Union(i, j); else firstBySha[sha] = i;
            }
            if (item.Kind == ItemKind.Frame)
            {
                if (firstBySource.TryGetValue(item.Source, out var k)) Union(i, k); else firstBySource[item.Source] = i;
            }
        }

        var keyByRoot = new Dictionary<int, string>();
        for (int i = 0; i < items.Count; i++)
        {
            int root = Find(i);
            var candidate = items[i].Kind == ItemKind.Frame ? "video:" + items[i].Source : "sha:" + items[i].Sha256;
            // Frame (video) keys sort before sha keys, so a group with any frame is named after its video.
            if (!keyByRoot.TryGetValue(root, out var current) || Better(candidate, current)) keyByRoot[root] = candidate;
        }
        var result = new Dictionary<string, string>(items.Count, StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++) result[items[i].Path] = keyByRoot[Find(i)];
        return result;
    }

    private static bool Better(string candidate, string current)
    {
        bool cv = candidate.StartsWith("video:", StringComparison.Ordinal), kv = current.StartsWith("video:", StringComparison.Ordinal);
        return cv != kv ? cv : string.CompareOrdinal(candidate, current) < 0;
    }
}

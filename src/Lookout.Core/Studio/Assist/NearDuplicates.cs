using Lookout.Core.Video;

namespace Lookout.Core.Studio.Assist;

/// <summary>An item for duplicate search: dHash of its thumbnail, its embedding (unit length, or null) and sharpness.</summary>
public sealed record DuplicateCandidate(long Id, ulong DHash, float[]? Embedding, double Sharpness);

/// <summary>A group of near-identical pictures and the one to keep (the sharpest).</summary>
public sealed record DuplicateCluster(long Keep, IReadOnlyList<long> Members, string Reason);

/// <summary>
/// Near-duplicates: two pictures are the same shot when their dHashes differ in few bits AND their embeddings agree
/// (cosine), so a re-encoded or resized copy matches but two different objects on the same background do not.
/// Pairs join transitively (union-find). O(n^2) popcounts, embeddings only for the close pairs.
/// </summary>
public static class NearDuplicates
{
    public const int MaxHashDistance = 10;
    public const float MinCosine = 0.95f;
    /// <summary>Without embeddings only very close hashes count.</summary>
    public const int HashOnlyDistance = 5;

    public static IReadOnlyList<DuplicateCluster> Find(IReadOnlyList<DuplicateCandidate> items)
    {
        var parent = Enumerable.Range(0, items.Count).ToArray();
        int FindRoot(int x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
        for (int i = 0; i < items.Count; i++)
            for (int j = i + 1; j < items.Count; j++)
            {
                int d = PerceptualHash.Distance(items[i].DHash, items[j].DHash);
                if (d > MaxHashDistance) continue;
                var (a, b) = (items[i].Embedding, items[j].Embedding);
                bool same = a is not null && b is not null ? VectorMath.Dot(a, b) >= MinCosine : d <= HashOnlyDistance;
                if (same) parent[FindRoot(j)] = FindRoot(i);
            }
        return Enumerable.Range(0, items.Count).GroupBy(FindRoot).Where(g => g.Count() > 1)
            .Select(g =>
            {
                var members = g.Select(i => items[i]).ToList();
                var keep = members.OrderByDescending(m => m.Sharpness).ThenBy(m => m.Id).First();
                return new DuplicateCluster(keep.Id, members.Select(m => m.Id).ToList(),
                    $"dHash within {MaxHashDistance} bits and embedding cosine >= {MinCosine}; keeps the sharpest");
            })
            .OrderBy(c => c.Members.Min())
            .ToList();
    }
}

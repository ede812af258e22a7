namespace Lookout.Core.Studio.Assist;

/// <summary>One pick of the core-set order: the pool index and its distance to the nearest already-covered point when picked.</summary>
public readonly record struct CoverPick(int Index, float Distance);

/// <summary>
/// k-center greedy (the core-set selection of Sener and Savarese, ICLR 2018): repeatedly pick the pool point farthest
/// from every point already covered (the labelled set, then earlier picks). Early picks spread over the whole
/// embedding space, which is what a cold start needs; uncertainty sampling does worse than random there.
/// Vectors must be unit length (distance = Euclidean on the sphere, monotone in cosine).
/// </summary>
public static class KCenterGreedy
{
    public static IReadOnlyList<CoverPick> Order(IReadOnlyList<float[]> pool, IReadOnlyList<float[]> covered, int k)
    {
        int n = pool.Count;
        k = Math.Min(k, n);
        var nearest = new float[n];
        Array.Fill(nearest, float.PositiveInfinity);
        foreach (var c in covered) Update(pool, nearest, c);
        var picks = new List<CoverPick>(k);
        var taken = new bool[n];
        for (int step = 0; step < k; step++)
        {
            int best = -1;
            float bestDistance = float.NegativeInfinity;
            for (int i = 0; i < n; i++)
            {
                if (taken[i]) continue;
                // Nothing covered yet: start from the point farthest from the pool's first point (ties: lower index).
                float d = float.IsPositiveInfinity(nearest[i]) ? VectorMath.Distance(pool[i], pool[0]) : nearest[i];
                if (d > bestDistance) { bestDistance = d; best = i; }
            }
            if (best < 0) break;
            taken[best] = true;
            picks.Add(new CoverPick(best, bestDistance));
            Update(pool, nearest, pool[best]);
        }
        return picks;
    }

    private static void Update(IReadOnlyList<float[]> pool, float[] nearest, float[] center)
    {
        for (int i = 0; i < pool.Count; i++)
        {
            float d = VectorMath.Distance(pool[i], center);
            if (d < nearest[i]) nearest[i] = d;
        }
    }
}

namespace Lookout.Core.Training.FineTuning;

/// <summary>
/// Derives independent, stable seeds from (seed, epoch, item) with SplitMix64. HashCode.Combine is randomised per
/// process, so it cannot be used for anything that must replay after a restart.
/// </summary>
public static class SeedMixer
{
    public static int Mix(params long[] parts)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (var p in parts) h = SplitMix(h ^ (ulong)p);
        return (int)(h & 0x7FFFFFFF);
    }

    private static ulong SplitMix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The order in which an epoch visits the training items: a Fisher-Yates shuffle seeded by (seed, epoch).</summary>
    public static int[] EpochOrder(int seed, int epoch, int count)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(Mix(seed, epoch, 0x5EED)).Shuffle(order);
        return order;
    }
}

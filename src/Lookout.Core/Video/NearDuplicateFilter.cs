namespace Lookout.Core.Video;

/// <summary>
/// Drops frames that look like the last kept one (dHash Hamming distance at most <see cref="Threshold"/>).
/// Comparing with the last kept frame, not the previous one, means a slow drift still yields a frame now and then.
/// </summary>
public sealed class NearDuplicateFilter(int threshold = NearDuplicateFilter.DefaultThreshold)
{
    /// <summary>Out of 64 bits: re-encoding noise flips 0-2, a real change in the scene flips many more.</summary>
    public const int DefaultThreshold = 4;

    private ulong? _lastKept;

    public int Threshold { get; } = threshold is >= 0 and <= 64 ? threshold : throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "0..64");

    /// <summary>True if the frame should be kept (and it becomes the new reference).</summary>
    public bool Keep(ulong hash)
    {
        if (_lastKept is { } last && PerceptualHash.Distance(last, hash) <= Threshold) return false;
        _lastKept = hash;
        return true;
    }
}

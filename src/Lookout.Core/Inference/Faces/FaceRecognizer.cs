namespace Lookout.Core.Inference.Faces;

/// <summary>Who a face is: an enrolled name, or <see cref="FaceGallery.Unknown"/>; the best similarity either way.</summary>
public sealed record FaceMatch(string Name, float Similarity, string? NearestName)
{
    public bool IsKnown => Name != FaceGallery.Unknown;
}

/// <summary>
/// Nearest enrolled descriptor by <see cref="FaceMatching.Similarity"/>; below the threshold the answer is
/// "unknown" (never the closest stranger, the HASS-Deepstack-face #50 complaint).
/// </summary>
public sealed class FaceRecognizer(IReadOnlyList<EnrolledFace> gallery, float threshold)
{
    /// <summary>
    /// Default match threshold on similarity: 0.5 (= L2 distance 10), upstream human's documented "match" line. It is
    /// NOT calibrated on identity-labelled pairs: no freely licensed photo set with several photos per person could be
    /// had (npm, Debian). Sanity data instead, on the six face-api 1.7.15 sample photos (npm, MIT; fetched by
    /// scripts/fetch-samples.sh): 22 faces at score ≥ 0.5; the 31 pairs of different people in the same photo
    /// (certainly different) scored 0.02–0.456 (mean 0.27), so FAR 0/31 at 0.5; the same face re-detected in the
    /// mirrored photo scored 0.87–1.00 (22 pairs, FRR 0/22, but mirror pairs are far easier than a new photo).
    /// Run `lookout faces calibrate &lt;dir-of-person-folders&gt; --save` on your own people to replace it per workspace.
    /// </summary>
    public const float DefaultThreshold = 0.5f;

    /// <summary>Highest different-person similarity measured above (a test re-checks it when the samples are present).</summary>
    public const float SampleMaxDifferentSimilarity = 0.456f;

    public float Threshold { get; } = threshold is >= 0 and <= 1 ? threshold : throw new ArgumentOutOfRangeException(nameof(threshold), "threshold must be in [0,1]");
    public int Enrolled => gallery.Count;

    public FaceMatch Match(float[] descriptor)
    {
        string? best = null;
        float bestSim = 0;
        foreach (var e in gallery)
        {
            float s = FaceMatching.Similarity(descriptor, e.Descriptor);
            if (best is null || s > bestSim) { best = e.Name; bestSim = s; }
        }
        return best is not null && bestSim >= Threshold ? new FaceMatch(best, bestSim, best) : new FaceMatch(FaceGallery.Unknown, bestSim, best);
    }
}

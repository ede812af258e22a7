namespace Lookout.Core.Inference.Faces;

/// <summary>
/// A threshold and its error rates on the pairs it was measured on. A pair matches when similarity ≥ threshold.
/// FAR = different-person pairs accepted / different pairs; FRR = same-person pairs rejected / same pairs.
/// </summary>
public sealed record FaceCalibration(float Threshold, double FalseAcceptRate, double FalseRejectRate, int SamePairs, int DifferentPairs, double TargetFalseAcceptRate);

/// <summary>
/// Picks the face match threshold from labelled pairs instead of guessing it: the lowest threshold whose false-accept
/// rate on the different-person pairs is at most the target (so FRR is as low as that FAR allows).
/// </summary>
public static class FaceThresholdCalibrator
{
    public static FaceCalibration Calibrate(IReadOnlyList<float> sameSimilarities, IReadOnlyList<float> differentSimilarities, double targetFar = 0.01)
    {
        if (sameSimilarities.Count == 0 || differentSimilarities.Count == 0)
            throw new ArgumentException("calibration needs at least one same-person pair and one different-person pair (two people, one with two photos)");
        if (targetFar is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(targetFar), "target false-accept rate must be in [0,1)");
        var different = differentSimilarities.OrderByDescending(s => s).ToList();
        int allowed = (int)Math.Floor(targetFar * different.Count);
        // Just above the (allowed+1)-th highest stranger score: at most `allowed` different pairs reach it (ties excluded).
        float threshold = allowed >= different.Count ? 0f : Math.Min(1f, MathF.BitIncrement(different[allowed]));
        return Evaluate(threshold, sameSimilarities, differentSimilarities, targetFar);
    }

    public static FaceCalibration Evaluate(float threshold, IReadOnlyList<float> same, IReadOnlyList<float> different, double targetFar = double.NaN) =>
        new(threshold,
            different.Count == 0 ? 0 : different.Count(s => s >= threshold) / (double)different.Count,
            same.Count == 0 ? 0 : same.Count(s => s < threshold) / (double)same.Count,
            same.Count, different.Count, targetFar);

    /// <summary>Similarities of every same-person pair and every different-person pair of labelled descriptors.</summary>
    public static (List<float> Same, List<float> Different) Pairs(IReadOnlyList<(string Person, float[] Descriptor)> faces)
    {
        var same = new List<float>();
        var different = new List<float>();
        for (int i = 0; i < faces.Count; i++)
            for (int j = i + 1; j < faces.Count; j++)
            {
                float s = FaceMatching.Similarity(faces[i].Descriptor, faces[j].Descriptor);
                (faces[i].Person == faces[j].Person ? same : different).Add(s);
            }
        return (same, different);
    }
}

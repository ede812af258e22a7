namespace Lookout.Core.Inference.Faces;

/// <summary>
/// How two FaceRes descriptors (1024 values in [0,6]) compare, as upstream human does (match.ts):
/// distance = 25·Σ(d1−d2)², similarity = clamp01((1 − √distance/100 − 0.2)/0.6). Similarity 0.5 equals a plain L2
/// distance of 10; human calls > 0.5 a match. Similarity is the score Lookout reports and thresholds.
/// </summary>
public static class FaceMatching
{
    public const int DescriptorLength = 1024;

    public static float Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"descriptor lengths differ ({a.Length} vs {b.Length})");
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return (float)(25 * sum);
    }

    public static float Similarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => SimilarityFromDistance(Distance(a, b));

    public static float SimilarityFromDistance(float distance) =>
        Math.Clamp((1 - MathF.Sqrt(distance) / 100 - 0.2f) / 0.6f, 0f, 1f);

    /// <summary>Plain cosine similarity, reported alongside for comparison with other tools.</summary>
    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return na > 0 && nb > 0 ? (float)(dot / Math.Sqrt(na * nb)) : 0;
    }
}

using System.Numerics;

namespace Lookout.Core.Evaluation.Issues;

/// <summary>
/// Similarities between images in one embedding space: each dimension standardised over the dataset, then scaled to
/// unit length. Raw CNN features are all positive, so their plain cosine is high for any two images; standardising
/// first makes 0.98 mean "the same picture".
/// </summary>
public sealed class EmbeddingGeometry
{
    public EmbeddingGeometry(IReadOnlyList<float[]> embeddings)
    {
        int n = embeddings.Count, d = n == 0 ? 0 : embeddings[0].Length;
        var mean = new double[d]; var sq = new double[d];
        foreach (var e in embeddings)
            for (int k = 0; k < d; k++) { mean[k] += e[k]; sq[k] += (double)e[k] * e[k]; }
        var std = new double[d];
        for (int k = 0; k < d; k++)
        {
            mean[k] /= Math.Max(n, 1);
            double v = sq[k] / Math.Max(n, 1) - mean[k] * mean[k];
            std[k] = v > 1e-12 ? Math.Sqrt(v) : 1;
        }
        Units = embeddings.Select(e =>
        {
            var u = new float[d];
            double norm = 0;
            for (int k = 0; k < d; k++) { u[k] = (float)((e[k] - mean[k]) / std[k]); norm += u[k] * (double)u[k]; }
            float inv = norm > 0 ? (float)(1 / Math.Sqrt(norm)) : 0;
            for (int k = 0; k < d; k++) u[k] *= inv;
            return u;
        }).ToArray();
    }

    /// <summary>Unit-length standardised vectors, in input order.</summary>
    public float[][] Units { get; }

    public static float Dot(float[] a, float[] b)
    {
        int i = 0, w = Vector<float>.Count;
        var acc = Vector<float>.Zero;
        for (; i <= a.Length - w; i += w) acc += new Vector<float>(a, i) * new Vector<float>(b, i);
        float s = Vector.Sum(acc);
        for (; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}

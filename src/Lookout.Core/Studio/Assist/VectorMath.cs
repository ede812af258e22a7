using System.Numerics.Tensors;

namespace Lookout.Core.Studio.Assist;

internal static class VectorMath
{
    /// <summary>Unit-length copy (cosine similarity becomes a dot product); a zero vector stays zero.</summary>
    public static float[] Normalised(float[] v)
    {
        var norm = TensorPrimitives.Norm(v);
        var copy = (float[])v.Clone();
        if (norm > 0) TensorPrimitives.Divide(copy, norm, copy);
        return copy;
    }

    public static float Dot(float[] a, float[] b) => TensorPrimitives.Dot(a, b);

    /// <summary>Euclidean distance between unit vectors: sqrt(2 - 2 cos), in [0, 2].</summary>
    public static float Distance(float[] a, float[] b) => MathF.Sqrt(MathF.Max(0, 2 - 2 * Dot(a, b)));
}

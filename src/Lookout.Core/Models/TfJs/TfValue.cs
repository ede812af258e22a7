namespace Lookout.Core.Models.TfJs;

/// <summary>
/// A converted TF tensor. <see cref="Shape"/> is its logical (TF) shape, -1 where unknown. The ONNX tensor
/// <see cref="Name"/> holds it physically transposed: physical axis i is logical axis <c>Perm[i]</c>. So an NHWC
/// activation kept as NCHW has Perm [0,3,1,2], and TF Transposes cost nothing (only the Perm changes).
/// <see cref="Const"/> is set when the value is known at conversion time; it becomes an initializer only when used.
/// </summary>
internal sealed record TfValue(string? Name, int[] Perm, TfDType DType, long[] Shape, TfTensor? Const = null)
{
    /// <summary>Shape entry for the batch axis of the model input (unknown like -1, but known to be the batch).</summary>
    public const long Batch = -2;

    public int Rank => Shape.Length;
    public bool IsConst => Const is not null;

    public static TfValue Constant(TfTensor t) => new(null, Perms.Identity(t.Shape.Length), t.DType, t.Shape, t);
}

/// <summary>Axis permutation helpers (perm[i] = source axis of destination axis i, as in ONNX/TF Transpose).</summary>
internal static class Perms
{
    /// <summary>NCHW storage of an NHWC tensor.</summary>
    public static readonly int[] Nchw = [0, 3, 1, 2];

    public static int[] Identity(int rank) => Enumerable.Range(0, rank).ToArray();
    public static bool IsIdentity(int[] p) => p.Select((v, i) => v == i).All(b => b);

    public static int[] Inverse(int[] p)
    {
        var inv = new int[p.Length];
        for (int i = 0; i < p.Length; i++) inv[p[i]] = i;
        return inv;
    }

    /// <summary>The Transpose perm that turns a tensor stored with <paramref name="from"/> into one stored with <paramref name="to"/>.</summary>
    public static int[] Between(int[] from, int[] to)
    {
        var inv = Inverse(from);
        return to.Select(a => inv[a]).ToArray();
    }

    /// <summary>Physical position of logical axis <paramref name="axis"/>.</summary>
    public static int PhysicalAxis(int[] perm, int axis) => Array.IndexOf(perm, axis);

    public static T[] Apply<T>(int[] perm, IReadOnlyList<T> values) => perm.Select(a => values[a]).ToArray();
}

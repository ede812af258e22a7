namespace Lookout.Core.Inference;

/// <summary>
/// An axis-aligned box in normalised image coordinates (0..1, origin top-left), so boxes survive any resize
/// between the frame the model saw and the frame that is drawn or stored.
/// </summary>
public readonly record struct BoxF(float X1, float Y1, float X2, float Y2)
{
    public float CenterX => (X1 + X2) / 2f;
    public float CenterY => (Y1 + Y2) / 2f;
    public float Area => Math.Max(0f, X2 - X1) * Math.Max(0f, Y2 - Y1);

    public static BoxF Full { get; } = new(0f, 0f, 1f, 1f);

    /// <summary>Intersection over union; 0 for disjoint or empty boxes.</summary>
    public float IoU(BoxF other)
    {
        float w = Math.Min(X2, other.X2) - Math.Max(X1, other.X1);
        float h = Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1);
        if (w <= 0 || h <= 0) return 0f;
        float inter = w * h;
        return inter / (Area + other.Area - inter);
    }
}

/// <summary>(contract) A located object (detector) or face; <see cref="Box"/> is normalised.</summary>
public sealed record Detection(string Label, float Score, BoxF Box);

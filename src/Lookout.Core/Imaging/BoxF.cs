namespace Lookout.Core.Imaging;

/// <summary>
/// (contract) An axis-aligned box (x1,y1 top-left; x2,y2 bottom-right; may be unordered by a few px). Detectors give
/// pixels of the original image; inside the watch pipeline boxes are normalised to 0..1 (<see cref="Normalize"/>)
/// so zones and snapshots survive any resize between the analysed and the drawn frame.
/// </summary>
public readonly record struct BoxF(float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;
    public float Height => Y2 - Y1;
    public float CenterX => (X1 + X2) / 2;
    public float CenterY => (Y1 + Y2) / 2;
    /// <summary>Area, zero for degenerate (inverted) boxes.</summary>
    public float Area => Math.Max(0, Width) * Math.Max(0, Height);
    public bool IsFinite => float.IsFinite(X1) && float.IsFinite(Y1) && float.IsFinite(X2) && float.IsFinite(Y2);

    /// <summary>Intersection over union; 0 when either box is empty.</summary>
    public float IoU(BoxF other)
    {
        float iw = Math.Min(X2, other.X2) - Math.Max(X1, other.X1);
        float ih = Math.Min(Y2, other.Y2) - Math.Max(Y1, other.Y1);
        if (iw <= 0 || ih <= 0) return 0;
        float inter = iw * ih;
        float union = Area + other.Area - inter;
        return union > 0 ? inter / union : 0;
    }

    /// <summary>Scales x by <paramref name="sx"/> and y by <paramref name="sy"/> (model input px -> original px).</summary>
    public BoxF Scale(float sx, float sy) => new(X1 * sx, Y1 * sy, X2 * sx, Y2 * sy);

    /// <summary>Clips to [0,width]x[0,height] (decoders may reach outside the frame).</summary>
    public BoxF Clamp(float width, float height) =>
        new(Math.Clamp(X1, 0, width), Math.Clamp(Y1, 0, height), Math.Clamp(X2, 0, width), Math.Clamp(Y2, 0, height));

    /// <summary>A square box around the same centre whose side is the larger side times <paramref name="factor"/>.</summary>
    public BoxF SquareEnlarged(float factor)
    {
        float half = Math.Max(Width, Height) * factor / 2;
        return new(CenterX - half, CenterY - half, CenterX + half, CenterY + half);
    }

    /// <summary>The whole frame, in normalised coordinates.</summary>
    public static BoxF Full { get; } = new(0f, 0f, 1f, 1f);

    /// <summary>Pixels of a <paramref name="width"/> x <paramref name="height"/> image -> 0..1 coordinates.</summary>
    public BoxF Normalize(float width, float height) => Scale(1f / width, 1f / height);

    public static BoxF FromCenter(float cx, float cy, float w, float h) => new(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
}

namespace Lookout.Core.Watch.Rules;

/// <summary>Point-in-polygon for zones in normalised coordinates (even-odd rule; the border counts as inside).</summary>
public static class Zone
{
    public static bool Contains(IReadOnlyList<PointF> polygon, float x, float y)
    {
        bool inside = false;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
        {
            var (a, b) = (polygon[i], polygon[j]);
            if (OnSegment(a, b, x, y)) return true;
            if ((a.Y > y) != (b.Y > y) && x < (b.X - a.X) * (y - a.Y) / (b.Y - a.Y) + a.X) inside = !inside;
        }
        return inside;
    }

    private static bool OnSegment(PointF a, PointF b, float x, float y)
    {
        float cross = (b.X - a.X) * (y - a.Y) - (b.Y - a.Y) * (x - a.X);
        return Math.Abs(cross) < 1e-6f && x >= Math.Min(a.X, b.X) - 1e-6f && x <= Math.Max(a.X, b.X) + 1e-6f
            && y >= Math.Min(a.Y, b.Y) - 1e-6f && y <= Math.Max(a.Y, b.Y) + 1e-6f;
    }
}

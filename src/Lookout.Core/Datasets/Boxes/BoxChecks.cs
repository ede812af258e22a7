using Lookout.Core.Imaging;

namespace Lookout.Core.Datasets.Boxes;

/// <summary>
/// The checks every importer applies to a box in pixels: finite, positive width and height, inside the image. A box
/// that pokes out by at most <see cref="Tolerance"/> px (rounding in the tool that wrote it) is clipped, not refused.
/// </summary>
public static class BoxChecks
{
    public const float Tolerance = 1f;

    /// <returns>The (clipped) box, or the reason it cannot be used.</returns>
    public static (BoxF? Box, string? Error) Validate(BoxF box, int width, int height)
    {
        if (!box.IsFinite) return (null, "box has a coordinate that is not a number");
        if (box.Width <= 0 || box.Height <= 0)
            return (null, $"box has zero or negative size ({Fmt(box.Width)} x {Fmt(box.Height)} px)");
        if (box.X1 < -Tolerance || box.Y1 < -Tolerance || box.X2 > width + Tolerance || box.Y2 > height + Tolerance)
            return (null, $"box [{Fmt(box.X1)},{Fmt(box.Y1)},{Fmt(box.X2)},{Fmt(box.Y2)}] is outside the {width}x{height} image");
        var clipped = box.Clamp(width, height);
        if (clipped.Width <= 0 || clipped.Height <= 0) return (null, "box has zero size inside the image");
        return (clipped, null);
    }

    private static string Fmt(float v) => v.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
}

using Lookout.Core.Imaging;

namespace Lookout.Core.Video.Drawing;

/// <summary>A colour in 8-bit RGB.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb White { get; } = new(255, 255, 255);
    public static Rgb Black { get; } = new(0, 0, 0);
    public static Rgb Yellow { get; } = new(255, 220, 0);
    public static Rgb Red { get; } = new(230, 40, 40);
}

/// <summary>
/// Draws rectangles and bitmap-font text onto a private copy of an <see cref="RgbImage"/>. Everything is clipped
/// to the image, so callers never need to check bounds.
/// </summary>
public sealed class Canvas
{
    private readonly byte[] _px;

    public Canvas(RgbImage source)
    {
        Width = source.Width;
        Height = source.Height;
        _px = source.Pixels[..source.ByteCount];
    }

    public int Width { get; }
    public int Height { get; }

    public RgbImage ToImage() => new(Width, Height, _px);

    public void FillRect(int x, int y, int w, int h, Rgb colour)
    {
        int x0 = Math.Max(0, x), y0 = Math.Max(0, y), x1 = Math.Min(Width, x + w), y1 = Math.Min(Height, y + h);
        for (int yy = y0; yy < y1; yy++)
            for (int xx = x0; xx < x1; xx++) Set(xx, yy, colour);
    }

    /// <summary>Outline of thickness <paramref name="t"/> inside the given rectangle.</summary>
    public void StrokeRect(int x, int y, int w, int h, int t, Rgb colour)
    {
        FillRect(x, y, w, t, colour);
        FillRect(x, y + h - t, w, t, colour);
        FillRect(x, y, t, h, colour);
        FillRect(x + w - t, y, t, h, colour);
    }

    /// <summary>Draws text with its top-left at (x, y), each font pixel a <paramref name="scale"/>-sized square.</summary>
    public void Text(int x, int y, string text, int scale, Rgb colour)
    {
        for (int i = 0; i < text.Length; i++)
        {
            int gx = x + i * BitmapFont.Advance * scale;
            for (int cx = 0; cx < BitmapFont.GlyphWidth; cx++)
                for (int cy = 0; cy < BitmapFont.GlyphHeight; cy++)
                    if (BitmapFont.IsSet(text[i], cx, cy)) FillRect(gx + cx * scale, y + cy * scale, scale, scale, colour);
        }
    }

    /// <summary>Text on a filled background band with a small padding; returns the band's height.</summary>
    public int Label(int x, int y, string text, int scale, Rgb foreground, Rgb background)
    {
        int pad = scale;
        int w = BitmapFont.MeasureWidth(text, scale) + 2 * pad, h = BitmapFont.GlyphHeight * scale + 2 * pad;
        FillRect(x, y, w, h, background);
        Text(x + pad, y + pad, text, scale, foreground);
        return h;
    }

    private void Set(int x, int y, Rgb c)
    {
        int i = (y * Width + x) * 3;
        _px[i] = c.R; _px[i + 1] = c.G; _px[i + 2] = c.B;
    }
}

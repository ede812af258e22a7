using System.Globalization;
using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Inference;

namespace Lookout.Core.Video.Drawing;

/// <summary>Burns what the analyzers saw into a frame: top predictions as a caption, boxes with their labels.</summary>
public static class FrameAnnotator
{
    /// <summary>Font scale so text stays readable from thumbnails to 4K (about 1/60 of the shorter side).</summary>
    public static int ScaleFor(RgbImage frame) => Math.Max(1, Math.Min(frame.Width, frame.Height) / 180);

    public static RgbImage Annotate(RgbImage frame, FrameAnalysis analysis, int topK = 3, string? caption = null)
    {
        var canvas = new Canvas(frame);
        int scale = ScaleFor(frame), y = 0;
        if (caption is not null) y += canvas.Label(0, y, caption, scale, Rgb.White, Rgb.Black);
        foreach (var p in analysis.Predictions.Take(topK))
            y += canvas.Label(0, y, $"{p.Label} {Percent(p.Score)}", scale, Rgb.White, Rgb.Black);
        foreach (var d in analysis.Detections) DrawBox(canvas, d, scale, Rgb.Yellow);
        foreach (var f in analysis.Faces) DrawBox(canvas, f, scale, f.Label == FrameAnalysis.UnknownFace ? Rgb.Red : Rgb.White);
        return canvas.ToImage();
    }

    public static void DrawBox(Canvas canvas, Detection d, int scale, Rgb colour)
    {
        int x1 = (int)Math.Round(d.Box.X1 * canvas.Width), y1 = (int)Math.Round(d.Box.Y1 * canvas.Height);
        int x2 = (int)Math.Round(d.Box.X2 * canvas.Width), y2 = (int)Math.Round(d.Box.Y2 * canvas.Height);
        canvas.StrokeRect(x1, y1, Math.Max(1, x2 - x1), Math.Max(1, y2 - y1), Math.Max(1, scale), colour);
        int labelHeight = BitmapFont.GlyphHeight * scale + 2 * scale;
        canvas.Label(x1, Math.Max(0, y1 - labelHeight), $"{d.Label} {Percent(d.Score)}", scale, Rgb.Black, colour);
    }

    public static string Percent(float score) => (score * 100).ToString("0", CultureInfo.InvariantCulture) + "%";
}

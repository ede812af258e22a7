using System.Globalization;
using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Video.Drawing;
using NetVips;

namespace Lookout.Core.Video.Timeline;

/// <summary>
/// Collects evenly spaced thumbnails of a video of unknown length in bounded memory, then joins them into one PNG
/// grid (libvips arrayjoin). Keeps at most 2x the wanted count: when full, every other thumbnail is dropped and the
/// sampling stride doubles, so the kept ones stay evenly spread over whatever has been seen so far.
/// </summary>
public sealed class ContactSheet
{
    private readonly List<RgbImage> _thumbs = [];
    private readonly int _count;
    private readonly int _thumbWidth;
    private long _stride = 1;
    private long _offered;

    public ContactSheet(int count = 24, int thumbWidth = 240)
    {
        _count = count >= 1 ? count : throw new ArgumentOutOfRangeException(nameof(count), count, "at least one thumbnail");
        _thumbWidth = thumbWidth >= 16 ? thumbWidth : throw new ArgumentOutOfRangeException(nameof(thumbWidth), thumbWidth, "at least 16 pixels");
    }

    public int Kept => _thumbs.Count;

    /// <summary>Offers an analysed frame; it is thumbnailed (with its time and top label) only if sampled.</summary>
    public void Offer(RgbImage frame, TimeSpan time, FrameAnalysis analysis)
    {
        if (_offered++ % _stride != 0) return;
        var small = FrameFitter.Shrink(frame, Math.Max(_thumbWidth, frame.Height * _thumbWidth / Math.Max(1, frame.Width)));
        var canvas = new Canvas(small);
        int scale = Math.Max(1, small.Width / 160);
        var top = analysis.Top is { } p ? $" {p.Label} {FrameAnnotator.Percent(p.Score)}" : "";
        canvas.Label(0, 0, time.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) + top, scale, Rgb.White, Rgb.Black);
        foreach (var d in analysis.Detections) FrameAnnotator.DrawBox(canvas, d, scale, Rgb.Yellow);
        _thumbs.Add(canvas.ToImage());
        if (_thumbs.Count >= 2 * _count)
        {
            for (int i = _thumbs.Count - 1; i >= 0; i--) if (i % 2 == 1) _thumbs.RemoveAt(i);
            _stride *= 2;
        }
    }

    /// <summary>Encodes the grid as PNG bytes, or null if no frame was offered.</summary>
    public byte[]? ToPng(int columns = 6)
    {
        if (_thumbs.Count == 0) return null;
        var picked = Pick(_thumbs, _count);
        var images = picked.Select(t => Image.NewFromMemory(t.Pixels, t.Width, t.Height, 3, Enums.BandFormat.Uchar)).ToArray();
        try
        {
            using var sheet = Image.Arrayjoin(images, across: Math.Min(columns, images.Length), shim: 4, background: [32.0, 32.0, 32.0]);
            using var srgb = sheet.Copy(interpretation: Enums.Interpretation.Srgb);
            return srgb.WriteToBuffer(".png");
        }
        finally
        {
            foreach (var i in images) i.Dispose();
        }
    }

    private static List<RgbImage> Pick(List<RgbImage> all, int count)
    {
        if (all.Count <= count) return all;
        return Enumerable.Range(0, count).Select(i => all[(int)((long)i * all.Count / count)]).ToList();
    }
}

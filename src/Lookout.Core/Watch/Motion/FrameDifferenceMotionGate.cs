using Lookout.Core.Imaging;

namespace Lookout.Core.Watch.Motion;

/// <summary>
/// Motion by frame differencing on a small grey copy of each frame: the share of pixels whose grey level moved
/// by more than a threshold since the previous frame. The first frame (and the first after a size change, e.g. a
/// camera that reconnected at another resolution) only sets the reference: a still scene never reaches the model.
/// After motion, frames keep passing for <see cref="MotionOptions.Hold"/>. Not thread-safe (one gate per source).
/// </summary>
public sealed class FrameDifferenceMotionGate : IMotionGate
{
    private readonly MotionOptions _options;
    private byte[]? _previous;
    private (int W, int H, int SrcW, int SrcH) _size;
    private TimeSpan? _lastMotion;

    public FrameDifferenceMotionGate(MotionOptions? options = null)
    {
        _options = options ?? new MotionOptions();
        _options.Validate();
    }

    public MotionResult Check(RgbImage frame, TimeSpan time)
    {
        int w = Math.Min(_options.Width, frame.Width);
        int h = Math.Max(1, (int)Math.Round((double)frame.Height * w / frame.Width));
        var grey = Grey(frame, w, h);
        var previous = _previous;
        bool sameSize = _size == (w, h, frame.Width, frame.Height);
        _previous = grey;
        _size = (w, h, frame.Width, frame.Height);
        if (previous is null || !sameSize) return new MotionResult(false, false, 0);
        int changed = 0;
        for (int i = 0; i < grey.Length; i++)
            if (Math.Abs(grey[i] - previous[i]) > _options.PixelThreshold) changed++;
        double fraction = (double)changed / grey.Length;
        bool motion = fraction >= _options.MinChangedFraction;
        if (motion) _lastMotion = time;
        bool pass = motion || _lastMotion is { } last && time - last <= _options.Hold;
        return new MotionResult(pass, motion, fraction);
    }

    /// <summary>Area-averaged luma (BT.601 integer weights) on a w x h grid; every source pixel lands in one cell.</summary>
    internal static byte[] Grey(RgbImage frame, int w, int h)
    {
        // Column x belongs to cell x*w/W, so each cell is a run of whole columns: a row is summed cell by cell over
        // contiguous bytes (every camera frame passes here, so no per-pixel lookups or counters).
        var firstColumn = new int[w + 1];
        for (int c = 0; c <= w; c++) firstColumn[c] = (int)(((long)c * frame.Width + w - 1) / w);
        var sum = new long[w * h];
        var rowsInCell = new int[h];
        var px = frame.Pixels.AsSpan();
        int stride = frame.Width * 3;
        for (int y = 0; y < frame.Height; y++)
        {
            int cellRow = (int)((long)y * h / frame.Height);
            rowsInCell[cellRow]++;
            var row = px.Slice(y * stride, stride);
            var cells = sum.AsSpan(cellRow * w, w);
            for (int c = 0; c < w; c++)
            {
                var run = row[(firstColumn[c] * 3)..(firstColumn[c + 1] * 3)];
                int total = 0;
                for (int i = 0; i + 2 < run.Length; i += 3)
                    total += (77 * run[i] + 150 * run[i + 1] + 29 * run[i + 2]) >> 8;
                cells[c] += total;
            }
        }
        var grey = new byte[w * h];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
            {
                long count = (long)rowsInCell[r] * (firstColumn[c + 1] - firstColumn[c]);
                grey[r * w + c] = (byte)(count > 0 ? sum[r * w + c] / count : 0);
            }
        return grey;
    }
}

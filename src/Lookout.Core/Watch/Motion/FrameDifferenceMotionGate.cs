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
        var sum = new int[w * h];
        var count = new int[w * h];
        var px = frame.Pixels;
        var colCell = new int[frame.Width];
        for (int x = 0; x < frame.Width; x++) colCell[x] = (int)((long)x * w / frame.Width);
        for (int y = 0; y < frame.Height; y++)
        {
            int row = (int)((long)y * h / frame.Height) * w;
            int i = y * frame.Width * 3;
            for (int x = 0; x < frame.Width; x++, i += 3)
            {
                int c = row + colCell[x];
                sum[c] += (77 * px[i] + 150 * px[i + 1] + 29 * px[i + 2]) >> 8;
                count[c]++;
            }
        }
        var grey = new byte[w * h];
        for (int i = 0; i < grey.Length; i++) grey[i] = (byte)(count[i] > 0 ? sum[i] / count[i] : 0);
        return grey;
    }
}

namespace Lookout.Core.Video;

/// <summary>Picks frames on a fixed time grid (one per 1/fps seconds); with no rate, every frame.</summary>
public sealed class FrameSampler(double? fps)
{
    private double _next;

    public bool ShouldAnalyse(TimeSpan time)
    {
        if (fps is not { } rate) return true;
        // A small tolerance so frame times like 0.19999 still land on the 0.2 s tick.
        if (time.TotalSeconds + 1e-6 < _next) return false;
        _next = (Math.Floor(time.TotalSeconds * rate + 1e-6) + 1) / rate;
        return true;
    }
}

using System.Globalization;
using Lookout.Core;

namespace Lookout.Cli.Infrastructure;

/// <summary>Parses the short durations options take: <c>5s</c>, <c>500ms</c>, <c>2m</c>, or a plain number of seconds.</summary>
public static class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        var t = text.Trim().ToLowerInvariant();
        (string number, double scale) = t.EndsWith("ms") ? (t[..^2], 0.001) : t.EndsWith('s') ? (t[..^1], 1.0) : t.EndsWith('m') ? (t[..^1], 60.0) : (t, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < 0 || double.IsInfinity(v))
            throw new LookoutException($"{option}: '{text}' is not a duration (e.g. 5s, 500ms, 2m).");
        return TimeSpan.FromSeconds(v * scale);
    }
}

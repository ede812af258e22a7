using System.Globalization;
using System.Text.RegularExpressions;

namespace Lookout.Core.Watch.Rules;

/// <summary>Parses durations like <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, <c>1m30s</c> or a bare number of seconds.</summary>
public static partial class DurationParser
{
    [GeneratedRegex(@"^(?:(?<n>\d+(?:\.\d+)?)(?<u>ms|s|m|h))+$")]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim().ToLowerInvariant();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (!double.IsFinite(seconds) || seconds < 0) return false;
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }
        var m = Pattern().Match(text);
        if (!m.Success) return false;
        double total = 0;
        for (int i = 0; i < m.Groups["n"].Captures.Count; i++)
        {
            double n = double.Parse(m.Groups["n"].Captures[i].Value, CultureInfo.InvariantCulture);
            total += m.Groups["u"].Captures[i].Value switch { "ms" => n / 1000, "s" => n, "m" => n * 60, _ => n * 3600 };
        }
        value = TimeSpan.FromSeconds(total);
        return true;
    }
}

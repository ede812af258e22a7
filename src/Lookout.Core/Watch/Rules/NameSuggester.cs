namespace Lookout.Core.Watch.Rules;

/// <summary>"Did you mean" for misspelt keys and labels: the closest known name by edit distance, if close enough.</summary>
public static class NameSuggester
{
    public static string? Closest(string given, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var k in known)
        {
            int d = Distance(given.ToLowerInvariant(), k.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (k, d);
        }
        // Allow about one typo per three characters, so "colour" never suggests "cooldown".
        return best is not null && bestDistance <= Math.Max(1, given.Length / 3) ? best : null;
    }

    /// <summary>" (did you mean 'x'?)" or "" when nothing is close.</summary>
    public static string Hint(string given, IEnumerable<string> known) =>
        Closest(given, known) is { } s ? $" (did you mean '{s}'?)" : "";

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}

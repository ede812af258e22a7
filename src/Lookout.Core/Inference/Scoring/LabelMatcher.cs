namespace Lookout.Core.Inference.Scoring;

/// <summary>
/// Which detector classes a recipe's word means, so one recipe works with the COCO detector and with a user's own:
/// the same name ignoring case, spaces, '-' and '_' ("pottedplant", "Potted-Plant" → "potted plant"), or the last
/// word of a class ("plant" → "potted plant", "phone" → "cell phone"). Explicit <c>labels:</c> must each name a class.
/// </summary>
public static class LabelMatcher
{
    /// <summary>Class ids of <paramref name="labels"/> that <paramref name="rule"/> counts; a word matching nothing is a user error.</summary>
    public static IReadOnlyList<int> Resolve(ScoreRule rule, IReadOnlyList<string> labels, string detectorName)
    {
        var ids = new List<int>();
        if (rule.Labels is { Count: > 0 } named)
        {
            foreach (var name in named)
            {
                int id = FindExact(name, labels);
                if (id < 0) throw new LookoutException($"'{rule.Thing}': detector {detectorName} has no class '{name}' (its classes: {string.Join(", ", labels)})");
                if (!ids.Contains(id)) ids.Add(id);
            }
            return ids;
        }
        var key = Squash(rule.Thing);
        for (int i = 0; i < labels.Count; i++)
            if (Squash(labels[i]) == key) ids.Add(i);
        if (ids.Count == 0)
            for (int i = 0; i < labels.Count; i++)
                if (LastWord(labels[i]) == key) ids.Add(i);
        if (ids.Count == 0)
            throw new LookoutException($"'{rule.Thing}' matches no class of detector {detectorName}; name one with 'labels: [...]' (its classes: {string.Join(", ", labels)})");
        return ids;
    }

    private static int FindExact(string name, IReadOnlyList<string> labels)
    {
        var key = Squash(name);
        for (int i = 0; i < labels.Count; i++) if (Squash(labels[i]) == key) return i;
        return -1;
    }

    private static string Squash(string s) => new(s.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    private static string LastWord(string label)
    {
        var words = label.Split([' ', '-', '_'], StringSplitOptions.RemoveEmptyEntries);
        return words.Length > 1 ? Squash(words[^1]) : "\0";
    }
}

namespace Lookout.Core.Inference.Detectors;

/// <summary>Class ids for names in a detector's own label list (case-insensitive).</summary>
public static class LabelIds
{
    public static IReadOnlySet<int> Resolve(IReadOnlyList<string> labels, IEnumerable<string> names)
    {
        var ids = new HashSet<int>();
        foreach (var raw in names)
        {
            var name = raw.Trim();
            if (name.Length == 0) continue;
            int id = labels.ToList().FindIndex(l => string.Equals(l, name, StringComparison.OrdinalIgnoreCase));
            if (id < 0) throw new ArgumentException($"unknown class '{name}'; this detector's classes are {string.Join(", ", labels)}");
            ids.Add(id);
        }
        return ids;
    }
}

namespace Lookout.Core.Tests.Architecture;

/// <summary>A directed graph of Core's top-level folders; <see cref="FindCycle"/> returns one cycle as a path, or null.</summary>
internal sealed class FolderGraph(IEnumerable<(string From, string To)> edges)
{
    private readonly ILookup<string, string> _next = edges.Distinct().ToLookup(e => e.From, e => e.To);

    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, int>(); // 1 = on the current path, 2 = done
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var n in _next[node].Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(n) == 1) return [.. path.Skip(path.IndexOf(n)), n];
                if (state.GetValueOrDefault(n) == 0 && Visit(n) is { } cycle) return cycle;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in _next.Select(g => g.Key).Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }
}

using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.TfJs;

/// <summary>Drops nodes and initializers nothing reads (left over from layout changes and cut heads).</summary>
internal static class GraphCleanup
{
    public static void RemoveUnused(OnnxGraph g)
    {
        var used = new HashSet<string>(g.Outputs.Select(o => o.Name), StringComparer.Ordinal);
        var kept = new List<OnnxNode>();
        for (int i = g.Nodes.Count - 1; i >= 0; i--)
        {
            var n = g.Nodes[i];
            if (!n.Outputs.Any(used.Contains)) continue;
            kept.Add(n);
            used.UnionWith(n.Inputs.Where(x => x.Length > 0));
        }
        kept.Reverse();
        g.Nodes.Clear(); g.Nodes.AddRange(kept);
        g.Initializers.RemoveAll(t => !used.Contains(t.Name));
    }
}

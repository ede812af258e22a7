using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.OnnxTorch;

/// <summary>Execution order and value lifetimes for an ONNX graph.</summary>
public static class GraphOrder
{
    /// <summary>
    /// Nodes in a topological order (stable: the file's order wherever it is already valid). Nodes that cannot run
    /// because an input is never produced are reported, naming the node and the missing tensor.
    /// </summary>
    public static IReadOnlyList<OnnxNode> Topological(OnnxGraph graph, string inputName)
    {
        var available = new HashSet<string>(StringComparer.Ordinal) { "" };
        foreach (var i in graph.Inputs) available.Add(i.Name);
        foreach (var t in graph.Initializers) available.Add(t.Name);
        available.Add(inputName);
        var pending = new List<OnnxNode>(graph.Nodes);
        var order = new List<OnnxNode>(pending.Count);
        while (pending.Count > 0)
        {
            int before = order.Count;
            var stillPending = new List<OnnxNode>();
            foreach (var n in pending)
            {
                if (n.Inputs.All(available.Contains)) { order.Add(n); available.UnionWith(n.Outputs); }
                else stillPending.Add(n);
            }
            if (order.Count == before)
            {
                var stuck = stillPending[0];
                var missing = stuck.Inputs.First(i => !available.Contains(i));
                throw new LookoutException($"ONNX node '{stuck.Name}' ({stuck.OpType}) needs '{missing}', which no node or initializer provides.");
            }
            pending = stillPending;
        }
        return order;
    }

    /// <summary>For each tensor name, the index (in <paramref name="order"/>) of the last node that reads it.</summary>
    public static Dictionary<string, int> LastUses(IReadOnlyList<OnnxNode> order)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < order.Count; i++)
            foreach (var name in order[i].Inputs)
                if (name.Length > 0) last[name] = i;
        return last;
    }
}

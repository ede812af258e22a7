using System.Text.Json;

namespace Lookout.Core.Models.TfJs;

/// <summary>
/// Reads a TF.js graph model (model.json + weight shards) into a <see cref="TfJsModel"/>. Checks the invariants that
/// catch a wrong decoder: every group's bytes are consumed exactly, and each Const's dtype/shape match its weight.
/// </summary>
public static class TfJsLoader
{
    private static readonly HashSet<string> IgnoredAttrs = ["_cloned", "device"];

    public static TfJsModel Load(string jsonPath)
    {
        if (!File.Exists(jsonPath)) throw new FileNotFoundException($"TF.js model not found: {jsonPath}", jsonPath);
        var dir = Path.GetDirectoryName(Path.GetFullPath(jsonPath))!;
        try
        {
            return Parse(File.ReadAllText(jsonPath), p =>
            {
                var shard = Path.Combine(dir, p);
                return File.Exists(shard) ? File.ReadAllBytes(shard) : throw new TfJsFormatException($"Weight shard '{p}' of {jsonPath} is missing.");
            });
        }
        catch (JsonException e) { throw new TfJsFormatException($"{jsonPath} is not valid TF.js JSON: {e.Message}", e); }
        catch (TfJsFormatException e) { throw new TfJsFormatException($"{Path.GetFileName(jsonPath)}: {e.Message}", e); }
    }

    /// <summary>Parses model.json text; <paramref name="readShard"/> returns a shard's bytes from its manifest path.</summary>
    public static TfJsModel Parse(string json, Func<string, byte[]> readShard)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.TryGetProperty("format", out var fmt) && fmt.GetString() is { } f && f != "graph-model")
            throw new TfJsFormatException($"Format '{f}' is not a TF.js graph model (layers models are not supported).");
        var nodes = root.GetProperty("modelTopology").GetProperty("node").EnumerateArray().Select(ParseNode).ToList();
        var constants = ReadWeights(root.GetProperty("weightsManifest"), readShard);
        CheckConstants(nodes, constants);
        return new TfJsModel(TopologicalSort(nodes), WithNodeDTypes(nodes, constants), ParseSignature(root));
    }

    private static TfNode ParseNode(JsonElement n)
    {
        var inputs = n.TryGetProperty("input", out var ins)
            ? ins.EnumerateArray().Select(i => i.GetString()!).Where(i => !i.StartsWith('^')).Select(TfRef.Parse).ToList()
            : [];
        var attrs = new Dictionary<string, TfAttr>(StringComparer.Ordinal);
        if (n.TryGetProperty("attr", out var a))
            foreach (var p in a.EnumerateObject())
                if (!IgnoredAttrs.Contains(p.Name) && !p.Name.StartsWith("_grappler", StringComparison.Ordinal))
                    attrs[p.Name] = new TfAttr(p.Value.Clone());
        return new TfNode(n.GetProperty("name").GetString()!, n.GetProperty("op").GetString()!, inputs, attrs);
    }

    private static Dictionary<string, TfTensor> ReadWeights(JsonElement manifest, Func<string, byte[]> readShard)
    {
        var result = new Dictionary<string, TfTensor>(StringComparer.Ordinal);
        foreach (var group in manifest.EnumerateArray())
        {
            var paths = group.GetProperty("paths").EnumerateArray().Select(p => p.GetString()!).ToList();
            var bytes = paths.SelectMany(readShard).ToArray(); // shards concatenated in listed order
            long offset = 0;
            foreach (var w in group.GetProperty("weights").EnumerateArray())
            {
                var spec = WeightSpec.Parse(w);
                result[spec.Name] = WeightDecoder.Decode(bytes, ref offset, spec);
            }
            if (offset != bytes.Length)
                throw new TfJsFormatException($"Weight group [{string.Join(", ", paths)}] has {bytes.Length} bytes but the manifest describes {offset}: wrong decoder or mismatched files.");
        }
        return result;
    }

    private static void CheckConstants(List<TfNode> nodes, Dictionary<string, TfTensor> constants)
    {
        foreach (var n in nodes.Where(n => n.Op == "Const"))
        {
            if (!constants.TryGetValue(n.Name, out var t))
                throw new TfJsFormatException($"Const '{n.Name}' has no entry in the weights manifest.");
            if (n.Attr("value")?.Json is { } v && v.TryGetProperty("tensor", out var tensor) && tensor.TryGetProperty("tensorShape", out var ts)
                && TfAttr.ParseShape(ts) is { } declared && !declared.SequenceEqual(t.Shape))
                throw new TfJsFormatException($"Const '{n.Name}' declares shape [{string.Join(",", declared)}] but its weight has [{string.Join(",", t.Shape)}].");
        }
    }

    /// <summary>Applies each Const's declared dtype: some models declare DT_INT64 but store int32 (widened here).</summary>
    private static Dictionary<string, TfTensor> WithNodeDTypes(List<TfNode> nodes, Dictionary<string, TfTensor> constants)
    {
        foreach (var n in nodes.Where(n => n.Op == "Const"))
        {
            if (n.Attr("dtype") is not { } d) continue;
            var declared = d.Type;
            var t = constants[n.Name];
            if (declared == t.DType) continue;
            constants[n.Name] = (declared, t.DType) switch
            {
                (TfDType.Int64, TfDType.Int32) => t with { DType = TfDType.Int64 },
                _ => throw new TfJsFormatException($"Const '{n.Name}' is declared {declared} but stored as {t.DType}."),
            };
        }
        return constants;
    }

    private static List<TfNode> TopologicalSort(List<TfNode> nodes)
    {
        var byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var order = new List<TfNode>(nodes.Count);
        foreach (var start in nodes)
        {
            if (state.ContainsKey(start.Name)) continue;
            // Iterative DFS: the graphs are deep (hundreds of nodes in a chain).
            var stack = new Stack<(TfNode Node, int Next)>();
            stack.Push((start, 0)); state[start.Name] = 1;
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                if (next < node.Inputs.Count)
                {
                    stack.Push((node, next + 1));
                    var dep = node.Inputs[next].Node;
                    if (!byName.TryGetValue(dep, out var depNode))
                        throw new TfJsFormatException($"Node '{node.Name}' reads '{dep}', which is not in the graph.");
                    if (state.GetValueOrDefault(dep) == 1) throw new TfJsFormatException($"The graph has a cycle through '{dep}'.");
                    if (state.GetValueOrDefault(dep) == 0) { state[dep] = 1; stack.Push((depNode, 0)); }
                    continue;
                }
                state[node.Name] = 2;
                order.Add(node);
            }
        }
        return order;
    }

    private static TfSignature ParseSignature(JsonElement root)
    {
        JsonElement sig = default;
        bool found = root.TryGetProperty("signature", out sig)
            || (root.TryGetProperty("userDefinedMetadata", out var meta) && meta.TryGetProperty("signature", out sig));
        if (!found) return new TfSignature([], []);
        static List<string> Names(JsonElement s, string key) => s.TryGetProperty(key, out var m)
            ? m.EnumerateObject().Select(p => TfRef.Parse(p.Value.TryGetProperty("name", out var n) ? n.GetString()! : p.Name).Node).ToList()
            : [];
        return new TfSignature(Names(sig, "inputs"), Names(sig, "outputs"));
    }
}

using System.Reflection;

namespace Lookout.Core.Tests.Architecture;

/// <summary>
/// Core's top-level folders (namespaces Lookout.Core.X) form layers: a stage may use the stages listed for it below and
/// nothing else, the listed graph has no cycle, and only Pipelines (train, eval, explain, data issues, preview, report)
/// spans many stages. Root types (namespace Lookout.Core: Workspace, MediaTypes, ItemError, LookoutException,
/// CodeVersion) may be used by all and use no folder. A new edge is a design decision: add it here, never a cycle.
/// </summary>
public class FolderDependencyTests
{
    private const string Root = "(root)";

    /// <summary>Which folders each folder may use (besides itself and the root), lowest layer first.</summary>
    internal static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        [Root] = [],
        ["IO"] = [],
        ["Torch"] = [],
        ["Imaging"] = ["IO"],
        ["Models"] = ["IO", "Imaging", "Torch"],
        ["Inference"] = ["IO", "Imaging", "Models"],
        ["Video"] = ["IO", "Imaging", "Models", "Inference"],
        ["Watch"] = ["IO", "Imaging", "Models", "Inference", "Video"],
        ["Datasets"] = ["IO", "Imaging", "Video"],
        ["Embeddings"] = ["IO", "Imaging", "Models", "Datasets"],
        ["Training"] = ["IO", "Imaging", "Models", "Inference", "Torch"],
        ["Export"] = ["IO", "Imaging", "Models", "Inference"],
        ["Evaluation"] = ["IO", "Imaging", "Models", "Inference", "Video", "Datasets", "Embeddings", "Training", "Torch"],
        ["Runs"] = ["IO", "Models", "Datasets", "Training", "Evaluation"],
        ["Pipelines"] = ["IO", "Torch", "Imaging", "Models", "Inference", "Datasets", "Embeddings", "Training", "Export", "Evaluation", "Runs"],
        ["Studio"] = ["IO", "Imaging", "Models", "Inference", "Video", "Datasets", "Embeddings", "Training", "Evaluation", "Runs"],
    };

    [Fact]
    public void EveryFolderUsesOnlyTheFoldersItIsAllowedTo()
    {
        var used = ObservedEdges();
        var unknown = used.Keys.SelectMany(k => new[] { k.From, k.To }).Distinct().Where(f => !Allowed.ContainsKey(f)).ToList();
        Assert.True(unknown.Count == 0, $"new Core folder(s) {string.Join(", ", unknown)}: give them a place in {nameof(Allowed)}");
        var forbidden = used.Where(e => !Allowed[e.Key.From].Contains(e.Key.To))
            .Select(e => $"{e.Key.From} -> {e.Key.To}: {e.Value}").Order(StringComparer.Ordinal).ToList();
        Assert.True(forbidden.Count == 0, "folder dependencies outside the allowed layers:\n" + string.Join("\n", forbidden));
    }

    [Fact]
    public void TheAllowedLayersHaveNoCycle_AndNothingUsesPipelines()
    {
        var cycle = new FolderGraph(Allowed.SelectMany(kv => kv.Value.Select(to => (kv.Key, to)))).FindCycle();
        Assert.True(cycle is null, $"allowed dependencies form a cycle: {string.Join(" -> ", cycle ?? [])}");
        Assert.DoesNotContain(Allowed, kv => kv.Value.Contains("Pipelines"));
        Assert.Empty(Allowed[Root]);
    }

    [Fact]
    public void TheObservedGraphIsAcyclic_AndTheScannerSeesRealEdges()
    {
        var used = ObservedEdges();
        var cycle = new FolderGraph(used.Keys).FindCycle();
        Assert.True(cycle is null, $"Core folders depend on each other in a loop: {string.Join(" -> ", cycle ?? [])}");
        // The scanner must see what the code does (so the tests above can fail): the train pipeline fits heads,
        // video frames are read by the dataset scanner, and fine-tuning runs the ONNX graph with Models' executor.
        Assert.Contains(("Pipelines", "Training"), used.Keys);
        Assert.Contains(("Datasets", "Video"), used.Keys);
        Assert.Contains(("Training", "Models"), used.Keys);
    }

    [Fact]
    public void FindCycle_FindsALoop_AndAcceptsALayering()
    {
        Assert.Equal(["A", "B", "C", "A"], new FolderGraph([("A", "B"), ("B", "C"), ("C", "A"), ("C", "D")]).FindCycle());
        Assert.Null(new FolderGraph([("A", "B"), ("B", "C"), ("A", "C")]).FindCycle());
    }

    /// <summary>Folder -> folder edges of Lookout.Core, each with one example "type uses type" for the failure message.</summary>
    private static Dictionary<(string From, string To), string> ObservedEdges()
    {
        var edges = new Dictionary<(string, string), string>();
        foreach (var type in typeof(Workspace).Assembly.GetTypes())
        {
            if (FolderOf(type) is not { } from) continue;
            foreach (var used in TypeReferences.Of(type))
                if (FolderOf(used) is { } to && to != from && to != Root)
                    edges.TryAdd((from, to), $"{type.FullName} uses {used.FullName}");
        }
        return edges;
    }

    private static string? FolderOf(Type type)
    {
        var ns = type.Namespace;
        if (ns is null || type.Assembly != typeof(Workspace).Assembly) return null;
        if (ns == "Lookout.Core") return Root;
        return ns.StartsWith("Lookout.Core.", StringComparison.Ordinal) ? ns["Lookout.Core.".Length..].Split('.')[0] : null;
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.Embeddings;
using Lookout.Core.Inference;
using Lookout.Core.Models.Backbones;

namespace Lookout.Core.Studio.Assist;

/// <summary>What a suggestion pass did: the run used and how many items it scored, or why nothing happened.</summary>
public sealed record SuggestResult(string? Run, int Scored, string? Reason);

/// <summary>
/// The AI assist of the inbox, over Core's own stages: suggestions from the project's current model (the exported
/// ONNX, the same path as <c>classify</c>), and orderings and duplicate groups on the backbone's cached embeddings.
/// </summary>
public static class InboxAssistant
{
    /// <summary>Scores every inbox item the current model has not scored yet and stores best class, runner-up and margin.</summary>
    public static async Task<SuggestResult> SuggestAsync(StudioProject project, CancellationToken ct = default)
    {
        var model = CurrentModel.Find(project);
        if (model is null) return new(null, 0, "no model yet: train one on the labelled classes first");
        var todo = ItemQuery.List(project, ItemView.Inbox, run: model.Run).Where(i => i.Suggestion is null).DistinctBy(i => i.Sha256).ToList();
        if (todo.Count == 0) return new(model.Run, 0, null);
        var files = ItemQuery.Files(project);
        var items = todo.Where(i => files.ContainsKey(i.Sha256)).ToList();
        using var classifier = ClassifierModel.Load(model.ModelPath);
        var rows = new List<(string Sha, Suggestion S)>();
        int k = 0;
        await foreach (var r in classifier.ClassifyFilesAsync(items.Select(i => files[i.Sha256]).ToList(), top: 2, ct: ct).ConfigureAwait(false))
        {
            var item = items[k++];
            if (!r.Ok || r.Predictions.Count == 0) continue;
            var first = r.Predictions[0];
            var second = r.Predictions.Count > 1 ? r.Predictions[1] : null;
            rows.Add((item.Sha256, new Suggestion(model.Run, first.Label, first.Score, second?.Label, first.Score - (second?.Score ?? 0), r.Unknown)));
        }
        using var catalog = project.OpenCatalog();
        catalog.Write(_ =>
        {
            foreach (var (sha, s) in rows)
                catalog.Exec("INSERT OR REPLACE INTO studio_suggestions(run,sha,label,score,second,margin,unknown) VALUES($r,$s,$l,$sc,$se,$m,$u)",
                    ("$r", s.Run), ("$s", sha), ("$l", s.Label), ("$sc", s.Score), ("$se", s.Second), ("$m", s.Margin), ("$u", s.Unknown ? 1 : 0));
        });
        return new(model.Run, rows.Count, null);
    }

    /// <summary>The inbox in "most useful first" order (see <see cref="ActiveOrder"/>), with the reason for each place.</summary>
    public static async Task<ActiveOrderResult> OrderAsync(StudioProject project, CancellationToken ct = default)
    {
        var model = CurrentModel.Find(project);
        var all = ItemQuery.List(project, ItemView.All, run: model?.Run).Where(i => !i.Excluded).ToList();
        var inbox = all.Where(i => i.Label is null).ToList();
        var labelled = all.Where(i => i.Label is not null).ToList();
        var perClass = ProjectClasses.List(project).ToDictionary(c => c.Name, c => c.Items);
        // A spread sample of the labelled set is enough to know what is covered, and keeps k-center cheap.
        var sample = labelled.Where((_, i) => labelled.Count <= 1000 || i % (labelled.Count / 1000 + 1) == 0).ToList();
        var vectors = await EmbedAsync(project, [.. inbox, .. sample], ct).ConfigureAwait(false);
        var pool = inbox.Where(i => vectors.ContainsKey(i.Sha256)).Select(i => new PoolItem(i.Id, vectors[i.Sha256], i.Suggestion)).ToList();
        var result = ActiveOrder.Order(pool, sample.Where(i => vectors.ContainsKey(i.Sha256)).Select(i => vectors[i.Sha256]).ToList(), ActiveOrder.Weakness(model, perClass));
        // Items that could not be embedded still appear, last.
        var ranked = result.Items.ToList();
        foreach (var i in inbox.Where(i => !vectors.ContainsKey(i.Sha256)))
            ranked.Add(new RankedItem(i.Id, ranked.Count + 1, "could not be embedded"));
        return result with { Items = ranked };
    }

    /// <summary>Groups of near-identical pictures among the items of a view.</summary>
    public static async Task<IReadOnlyList<DuplicateCluster>> DuplicatesAsync(StudioProject project, ItemView view, string? label, CancellationToken ct = default)
    {
        var items = ItemQuery.List(project, view, label);
        Media.MediaIndex.EnsureFacts(project, items, ct);
        items = ItemQuery.List(project, view, label).Where(i => i.Media is not null).ToList();
        var vectors = await EmbedAsync(project, items, ct).ConfigureAwait(false);
        return NearDuplicates.Find(items.Select(i => new DuplicateCandidate(i.Id, i.Media!.DHash, vectors.GetValueOrDefault(i.Sha256), i.Media.Sharpness)).ToList());
    }

    /// <summary>Unit-length embeddings by content hash, through the project's embedding cache (only new content is computed).</summary>
    public static async Task<Dictionary<string, float[]>> EmbedAsync(StudioProject project, IReadOnlyList<StudioItem> items, CancellationToken ct = default)
    {
        var files = ItemQuery.Files(project);
        var wanted = items.Select(i => i.Sha256).Distinct().Where(files.ContainsKey).ToList();
        if (wanted.Count == 0) return [];
        var backbone = BackboneResolver.Resolve(project.Backbone);
        using var cache = new EmbeddingCache(project.EmbeddingsPath);
        using var extractor = new EmbeddingExtractor(backbone, cache);
        var set = await extractor.ExtractAsync(wanted.Select(s => new LabeledImage(files[s], s, "", Split.Unassigned, s)).ToList(), ct: ct).ConfigureAwait(false);
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int i = 0; i < wanted.Count; i++)
            if (set.Vectors[i] is { } v) result[wanted[i]] = VectorMath.Normalised(v);
        return result;
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.Inference;
using Lookout.Core.IO;
using Lookout.Core.Runs;

namespace Lookout.Core.Studio.Results;

/// <summary>What a run's model answered for one test picture: its label then, the top class, and whether it said "unknown".</summary>
public sealed record ItemPrediction(string Sha, string Truth, string Predicted, double Score, double TrueProbability, bool Unknown);

/// <summary>
/// The answer of a run's exported model for every test picture of its manifest, kept beside eval.json as
/// <c>predictions.json</c>: eval.json has the confusion counts, this says which pictures are behind each cell. Made once
/// when the studio's training job ends (the labels are then the ones the run was trained on), or on first use for older runs.
/// </summary>
public static class RunPredictions
{
    public const string FileName = "predictions.json";

    public static async Task<IReadOnlyList<ItemPrediction>> LoadOrComputeAsync(StudioProject project, RunFolder run, CancellationToken ct = default)
    {
        var path = Path.Combine(run.Dir, FileName);
        if (File.Exists(path)) return System.Text.Json.JsonSerializer.Deserialize<List<ItemPrediction>>(await File.ReadAllTextAsync(path, ct), LookoutJson.Options) ?? [];
        if (!File.Exists(run.ModelPath)) return [];
        var manifest = run.ReadJson<RunManifest>(run.ManifestPath);
        var testShas = manifest?.Splits.TryGetValue("test", out var t) == true ? t.Items.ToHashSet(StringComparer.Ordinal) : [];
        var items = project.Datasets.Snapshot().Where(i => testShas.Contains(i.Sha256)).GroupBy(i => i.Sha256).Select(g => g.First()).ToList();
        var list = new List<ItemPrediction>(items.Count);
        using (var model = ClassifierModel.Load(run.ModelPath))
        {
            var index = model.Labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
            int n = 0;
            await foreach (var r in model.ClassifyFilesAsync(items.Select(i => i.Path).ToList(), top: 1, ct: ct))
            {
                var item = items[n++];
                if (r.Probabilities is not { } p || r.Top is not { } top) continue;
                double pTrue = index.TryGetValue(item.Label, out var ti) ? p[ti] : 0;
                list.Add(new ItemPrediction(item.Sha256, item.Label, top.Label, Math.Round(top.Score, 4), Math.Round(pTrue, 4), r.Unknown));
            }
        }
        AtomicFile.WriteAllText(path, LookoutJson.Serialize(list));
        return list;
    }
}

using System.Text.Json;
using Lookout.Core.Datasets;
using Lookout.Core.Runs;

namespace Lookout.Core.Studio.Results;

/// <summary>One class's test scores from a detector run's eval.json.</summary>
public sealed record ClassMapView(string Label, int Boxes, int Detections, double Ap50, double Ap75, double Ap50To95, bool FewBoxes);

/// <summary>A detector run's test evaluation (eval.json); the baseline is the untrained head's score, when it was measured.</summary>
public sealed record DetectEvalView(int Images, double Map50, double Map50To95, double Map75, double? BaselineMap50, double? BaselineMap50To95,
    IReadOnlyList<ClassMapView> Classes);

/// <summary>A gallery picture (<c>gallery/&lt;kind&gt;/&lt;file&gt;</c>) and the project picture it shows, so the box editor can open it.</summary>
public sealed record GalleryPicture(string File, long? Item, string? Name);

/// <summary>
/// A detector run's results from its folder: the epochs (loss curves), the test mAP per class (eval.json), whether the
/// PR-curve plot exists, and the two galleries (false positives, misses) mapped back to the project's pictures.
/// </summary>
public sealed record DetectRunView(string Run, IReadOnlyList<string> Classes, IReadOnlyList<EpochView> Epochs, DetectEvalView? Test, bool HasPrCurves,
    IReadOnlyList<GalleryPicture> FalsePositives, IReadOnlyList<GalleryPicture> Misses, bool HasModel);

public static class DetectResults
{
    public static readonly string[] Galleries = ["false-positives", "misses"];

    public static bool IsDetectRun(RunFolder run) => File.Exists(Path.Combine(run.Dir, RunStore.DetectPlanFile));

    public static DetectRunView Read(StudioProject project, RunFolder run)
    {
        if (!IsDetectRun(run)) throw new StudioException($"run {run.Id} is not a detector run", StudioProblem.Conflict);
        var epochs = File.Exists(run.MetricsPath) ? MetricsTsvWriter.Read(run.MetricsPath).Select(EpochView.Of).ToList() : [];
        var classes = ReadLabels(run);
        var byStem = ItemQuery.List(project, ItemView.All).Where(i => i.Kind == ItemKind.Image)
            .GroupBy(i => System.IO.Path.GetFileNameWithoutExtension(i.Path), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        IReadOnlyList<GalleryPicture> Gallery(string kind)
        {
            var dir = Path.Combine(run.Dir, "gallery", kind);
            if (!Directory.Exists(dir)) return [];
            return Directory.EnumerateFiles(dir, "*.jpg").Order(StringComparer.Ordinal).Select(f =>
            {
                var hit = byStem.GetValueOrDefault(Path.GetFileNameWithoutExtension(f));
                return new GalleryPicture(Path.GetFileName(f), hit?.Id, hit?.Name);
            }).ToList();
        }
        return new DetectRunView(run.Id, classes, epochs, ReadEval(run), File.Exists(Path.Combine(run.Dir, "pr.png")), Gallery(Galleries[0]), Gallery(Galleries[1]),
            File.Exists(run.ModelPath));
    }

    /// <summary>The path of a run's picture the browser may fetch: pr.png or a gallery JPEG; null for anything else.</summary>
    public static string? PicturePath(RunFolder run, string file)
    {
        if (file == "pr.png") return Path.Combine(run.Dir, "pr.png");
        var parts = file.Split('/');
        if (parts.Length != 3 || parts[0] != "gallery" || !Galleries.Contains(parts[1]) || !parts[2].EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)
            || parts[2].StartsWith('.') || parts[2].Contains('\\')) return null;
        return Path.Combine(run.Dir, parts[0], parts[1], parts[2]);
    }

    private static IReadOnlyList<string> ReadLabels(RunFolder run)
    {
        if (!File.Exists(run.ManifestPath)) return [];
        using var doc = JsonDocument.Parse(File.ReadAllText(run.ManifestPath));
        return doc.RootElement.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Array ? l.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
    }

    private static DetectEvalView? ReadEval(RunFolder run)
    {
        var path = Path.Combine(run.Dir, "eval.json");
        if (!File.Exists(path)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var r = doc.RootElement;
        static double N(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? Math.Round(v.GetDouble(), 4) : 0;
        static double? O(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? Math.Round(v.GetDouble(), 4) : null;
        var classes = r.TryGetProperty("classes", out var cs) ? cs.EnumerateArray().Select(c => new ClassMapView(c.GetProperty("label").GetString() ?? "",
            (int)N(c, "boxes"), (int)N(c, "detections"), N(c, "ap50"), N(c, "ap75"), N(c, "ap50To95"), c.TryGetProperty("fewBoxes", out var f) && f.GetBoolean())).ToList() : [];
        return new DetectEvalView((int)N(r, "images"), N(r, "map50"), N(r, "map50To95"), N(r, "map75"), O(r, "baselineMap50"), O(r, "baselineMap50To95"), classes);
    }
}

using System.Collections.Concurrent;
using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Runs;

namespace Lookout.Core.Studio.Boxes;

/// <summary>A box the detector proposes, already in a project class (<see cref="DetectorLabel"/> is what the detector called it).</summary>
public sealed record SuggestedBox(string Label, float Score, BoxF Box, string DetectorLabel);

/// <summary>A detector class seen in the picture that maps to no project class (the user may map it).</summary>
public sealed record UnmappedClass(string Label, int Boxes);

/// <summary>Which detector proposed the boxes (the project's own trained run, or the shipped COCO one), its boxes, and what it saw that has no class here.</summary>
public sealed record BoxSuggestions(string Detector, string? Run, bool Trained, IReadOnlyList<SuggestedBox> Boxes, IReadOnlyList<UnmappedClass> Unmapped);

/// <summary>
/// Pre-fills the box editor. The detector is the project's newest trained detector run when one exists (its classes are
/// the project's), else the shipped COCO NanoDet; a COCO class becomes a project class when the names match
/// (case-insensitive) or the user mapped it (<see cref="MapAsync"/>, kept in the project's settings). Detection goes
/// through <see cref="DetectorService"/> only, so a change of the exported detector's outputs does not reach here.
/// </summary>
public static class BoxSuggester
{
    public const string MapKey = "studio.box_map";

    // Detectors are loaded once per process (by file and its write time, so a retrained run is picked up) and shared.
    private static readonly ConcurrentDictionary<string, Lazy<DetectorService>> Detectors = new(StringComparer.Ordinal);

    public static BoxSuggestions Suggest(StudioProject project, long id, DetectorOptions? options = null)
    {
        var (file, _, _) = BoxLabels.Picture(project, id);
        var (run, path) = TrainedDetector(project);
        var detector = Open(path ?? DetectorModel.DefaultName);
        var result = detector.DetectFile(file, options);
        if (result.Error is not null) throw new StudioException($"picture {id} cannot be read: {result.Error}");
        var classes = BoxProject.Classes(project);
        var map = Map(project);
        var boxes = new List<SuggestedBox>();
        var unmapped = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in result.Detections)
        {
            var label = ClassFor(d.Label, classes, map);
            if (label is null) { unmapped[d.Label] = unmapped.GetValueOrDefault(d.Label) + 1; continue; }
            boxes.Add(new SuggestedBox(label, d.Score, d.Box, d.Label));
        }
        return new BoxSuggestions(detector.Name, run, detector.IsTrained, boxes,
            unmapped.OrderByDescending(u => u.Value).ThenBy(u => u.Key, StringComparer.Ordinal).Select(u => new UnmappedClass(u.Key, u.Value)).ToList());
    }

    /// <summary>The project's detector-class mapping (detector label → project class).</summary>
    public static IReadOnlyDictionary<string, string> Map(StudioProject project)
    {
        var json = project.Setting(MapKey);
        if (string.IsNullOrEmpty(json)) return new Dictionary<string, string>();
        try { return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []; }
        catch (JsonException) { return new Dictionary<string, string>(); }
    }

    /// <summary>Maps a detector class to a project box class (added to classes.txt if new), or removes the mapping (<paramref name="to"/> null).</summary>
    public static Task<IReadOnlyDictionary<string, string>> MapAsync(StudioProject project, string from, string? to, CancellationToken ct = default) =>
        project.Locked(() =>
        {
            if (!BoxProject.IsDetection(project)) throw new StudioException("this project is not a detection project", StudioProblem.Conflict);
            if (string.IsNullOrWhiteSpace(from)) throw new StudioException("say which detector class to map");
            var map = new Dictionary<string, string>(Map(project), StringComparer.Ordinal);
            if (to is null) map.Remove(from);
            else
            {
                to = StudioNames.Check(to);
                BoxProject.EnsureClasses(project, [to]);
                map[from] = to;
            }
            project.SetSetting(MapKey, JsonSerializer.Serialize(map));
            return (IReadOnlyDictionary<string, string>)map;
        }, ct);

    private static string? ClassFor(string detected, IReadOnlyList<string> classes, IReadOnlyDictionary<string, string> map)
    {
        if (map.TryGetValue(detected, out var mapped) && classes.Contains(mapped, StringComparer.Ordinal)) return mapped;
        return classes.FirstOrDefault(c => string.Equals(c, detected, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The newest run of this project whose model is a trained detector, and its model file.</summary>
    private static (string? Run, string? Path) TrainedDetector(StudioProject project)
    {
        foreach (var run in new RunStore(project.Workspace.RunsDir).List().Where(r => r.HasModel).Reverse())
            if (DetectorModel.TrainedPath(run.Dir) is { } path) return (run.Id, path);
        return (null, null);
    }

    private static DetectorService Open(string nameOrPath)
    {
        var key = File.Exists(nameOrPath) ? $"{nameOrPath}|{File.GetLastWriteTimeUtc(nameOrPath).Ticks}" : nameOrPath;
        var lazy = Detectors.GetOrAdd(key, _ => new Lazy<DetectorService>(() => DetectorService.Open(nameOrPath)));
        try { return lazy.Value; }
        catch { Detectors.TryRemove(key, out _); throw; }
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.IO;

namespace Lookout.Core.Studio;

/// <summary>A class of a project: its folder name and how many photos/frames it holds (excluded ones not counted).</summary>
public sealed record ClassInfo(string Name, int Items);

/// <summary>
/// The classes of a project are the label folders of its data folder. Adding one makes the folder; renaming one
/// renames its folder (and its <c>_excluded/</c> twin) and rewrites every catalog row that names it in one
/// transaction, so labels, splits and the content-keyed embedding cache all survive.
/// </summary>
public static class ProjectClasses
{
    public static IReadOnlyList<ClassInfo> List(StudioProject project)
    {
        using var catalog = project.OpenCatalog();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var cmd = catalog.Connection.Command("""
            SELECT i.label, COUNT(*) FROM items i LEFT JOIN studio_excluded_frames f ON f.path=i.path
            WHERE i.status='Ok' AND i.kind IN ('Image','Frame') AND i.label IS NOT NULL AND f.path IS NULL
              AND substr(i.path,1,length($ex)) <> $ex
            GROUP BY i.label
            """, ("$ex", FolderLayout.ExcludedFolder + "/")))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) counts[r.GetString(0)] = r.GetInt32(1);
        var names = Directory.Exists(project.DataDir)
            ? Directory.EnumerateDirectories(project.DataDir).Select(Path.GetFileName).OfType<string>()
                .Where(n => !FolderLayout.IsUnlabelledFolder(n) && !n.StartsWith('.') && FolderLayout.ParseSplit(n) == Split.Unassigned)
            : [];
        // In a detection project a class's number is its saved boxes (what "too few boxes" is about), not pictures.
        if (Boxes.BoxProject.IsDetection(project)) counts = new Dictionary<string, int>(Boxes.BoxLabels.BoxesPerClass(project), StringComparer.Ordinal);
        // Labels given by hand (frames) without a folder are classes too, and so are a detection project's box classes.
        return names.Union(counts.Keys, StringComparer.Ordinal).Union(Boxes.BoxProject.Classes(project), StringComparer.Ordinal)
            .Order(StringComparer.OrdinalIgnoreCase)
            .Select(n => new ClassInfo(n, counts.GetValueOrDefault(n)))
            .ToList();
    }

    public static Task<ClassInfo> AddAsync(StudioProject project, string name, CancellationToken ct = default) => project.Locked(() =>
    {
        name = StudioNames.Check(name);
        if (Exists(project, name)) throw new StudioException($"a class named '{name}' already exists", StudioProblem.Conflict);
        // A detection project's classes are its box classes (classes.txt); its pictures have no class folders.
        if (Boxes.BoxProject.IsDetection(project)) Boxes.BoxProject.EnsureClasses(project, [name]);
        else Directory.CreateDirectory(Path.Combine(project.DataDir, name));
        return new ClassInfo(name, 0);
    }, ct);

    public static Task<ClassInfo> RenameAsync(StudioProject project, string from, string to, CancellationToken ct = default) => project.Locked(() =>
    {
        to = StudioNames.Check(to);
        if (!Exists(project, from)) throw new StudioException($"no class named '{from}'", StudioProblem.NotFound);
        if (from == to) return List(project).First(c => c.Name == to);
        if (Exists(project, to) && !string.Equals(from, to, StringComparison.OrdinalIgnoreCase))
            throw new StudioException($"a class named '{to}' already exists", StudioProblem.Conflict);

        using (var catalog = project.OpenCatalog())
        {
            catalog.Write(_ =>
            {
                RewritePrefix(catalog, from + "/", to + "/");
                var excludedFrom = $"{FolderLayout.ExcludedFolder}/{from}/";
                RewritePrefix(catalog, excludedFrom, $"{FolderLayout.ExcludedFolder}/{to}/");
                catalog.Exec("UPDATE items SET label=$t WHERE label=$f", ("$t", to), ("$f", from));
                catalog.Exec("UPDATE studio_suggestions SET label=$t WHERE label=$f", ("$t", to), ("$f", from));
                catalog.Exec("UPDATE studio_suggestions SET second=$t WHERE second=$f", ("$t", to), ("$f", from));
                catalog.Exec("UPDATE studio_segments SET label=$t WHERE label=$f", ("$t", to), ("$f", from));
                catalog.Exec("UPDATE studio_excluded_frames SET label=$t WHERE label=$f", ("$t", to), ("$f", from));
                if (Directory.Exists(Path.Combine(project.DataDir, from))) MoveJournal.Add(catalog, from, to);
                if (Directory.Exists(Path.Combine(project.DataDir, FolderLayout.ExcludedFolder, from)))
                    MoveJournal.Add(catalog, excludedFrom.TrimEnd('/'), $"{FolderLayout.ExcludedFolder}/{to}");
            });
            MoveJournal.Replay(catalog, project.DataDir);
        }
        Boxes.BoxProject.Rename(project, from, to); // a box class keeps its id, so box files stay right
        return List(project).First(c => c.Name == to);
    }, ct);

    public static bool Exists(StudioProject project, string name) =>
        StudioNames.IsValid(name) && (Directory.Exists(Path.Combine(project.DataDir, name)) || List(project).Any(c => c.Name == name));

    /// <summary>Every row whose path (and frame source) starts with <paramref name="from"/> gets <paramref name="to"/> instead.</summary>
    internal static void RewritePrefix(Catalog catalog, string from, string to)
    {
        catalog.Exec("""
            UPDATE studio_excluded_frames SET path = $t || substr(path,length($f)+1) WHERE substr(path,1,length($f))=$f
            """, ("$f", from), ("$t", to));
        catalog.Exec("""
            UPDATE items SET
              path = CASE WHEN substr(path,1,length($f))=$f THEN $t || substr(path,length($f)+1) ELSE path END,
              source = CASE WHEN substr(source,1,length($f))=$f THEN $t || substr(source,length($f)+1) ELSE source END
            WHERE substr(path,1,length($f))=$f OR substr(source,1,length($f))=$f
            """, ("$f", from), ("$t", to));
    }
}

using Lookout.Core.Datasets;
using Lookout.Core.IO;

namespace Lookout.Core.Studio.Boxes;

/// <summary>
/// A detection project's data folder is a YOLO dataset, the layout <c>lookout train &lt;data&gt; --task detect</c> reads:
/// <c>classes.txt</c> at its top (one box class per line; a box's class id is its line number) and, beside each
/// reviewed picture, a <c>.txt</c> of the same name with its boxes. The file <c>classes.txt</c> is what makes a project
/// a detection project, so a folder made outside the studio with one is recognised too. Pictures stay where uploads put
/// them (<c>_unlabelled/</c>): one without a box file is not reviewed yet, and the importer leaves it out.
/// </summary>
public static class BoxProject
{
    public const string ClassesFileName = "classes.txt";

    public static string ClassesFile(StudioProject project) => Path.Combine(project.DataDir, ClassesFileName);

    public static bool IsDetection(StudioProject project) => File.Exists(ClassesFile(project));

    /// <summary>The box classes in id order (empty when the project is not a detection project).</summary>
    public static IReadOnlyList<string> Classes(StudioProject project)
    {
        var file = ClassesFile(project);
        if (!File.Exists(file)) return [];
        return File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
    }

    /// <summary>Makes the project a detection project (idempotent); its class folders, if any, become the first box classes.</summary>
    public static Task<IReadOnlyList<string>> MakeDetectionAsync(StudioProject project, CancellationToken ct = default) => project.Locked(() =>
    {
        if (!IsDetection(project))
        {
            var folders = Directory.EnumerateDirectories(project.DataDir).Select(Path.GetFileName).OfType<string>()
                .Where(n => !n.StartsWith('.') && !n.StartsWith('_') && FolderLayout.ParseSplit(n) == Split.Unassigned)
                .Order(StringComparer.OrdinalIgnoreCase);
            Write(project, folders.ToList());
        }
        return Classes(project);
    }, ct);

    /// <summary>
    /// Adds box classes that are not there yet at the end (ids of the existing ones never change, so every saved box file
    /// stays right). Call holding the project's gate.
    /// </summary>
    internal static IReadOnlyList<string> EnsureClasses(StudioProject project, IEnumerable<string> names)
    {
        var classes = Classes(project).ToList();
        var added = false;
        foreach (var raw in names)
        {
            if (classes.Contains(raw, StringComparer.Ordinal)) continue;
            classes.Add(StudioNames.Check(raw));
            added = true;
        }
        if (added) Write(project, classes);
        return classes;
    }

    public static Task<IReadOnlyList<string>> AddClassAsync(StudioProject project, string name, CancellationToken ct = default) =>
        project.Locked(() =>
        {
            if (!IsDetection(project)) throw new StudioException("this project is not a detection project", StudioProblem.Conflict);
            return EnsureClasses(project, [StudioNames.Check(name)]);
        }, ct);

    /// <summary>Renames a box class in place: its id stays, so no box file needs rewriting. Call holding the project's gate.</summary>
    internal static void Rename(StudioProject project, string from, string to)
    {
        var classes = Classes(project).ToList();
        int i = classes.IndexOf(from);
        if (i < 0) return;
        classes[i] = to;
        Write(project, classes);
    }

    private static void Write(StudioProject project, IReadOnlyList<string> classes) =>
        AtomicFile.WriteAllText(ClassesFile(project), string.Concat(classes.Select(c => c + "\n")));
}

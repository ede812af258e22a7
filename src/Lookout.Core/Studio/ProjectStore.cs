using System.Collections.Concurrent;
using Lookout.Core.Datasets;

namespace Lookout.Core.Studio;

/// <summary>A folder of studio projects: <c>&lt;root&gt;/&lt;name&gt;/data</c> + <c>&lt;root&gt;/&lt;name&gt;/.lookout</c>.</summary>
public sealed class ProjectStore
{
    private readonly ConcurrentDictionary<string, StudioProject> _open = new(StringComparer.Ordinal);

    public ProjectStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public IReadOnlyList<StudioProject> List() =>
        Directory.EnumerateDirectories(Root)
            .Where(d => Directory.Exists(Path.Combine(d, "data")) && StudioNames.IsValid(Path.GetFileName(d)))
            .Select(d => Get(Path.GetFileName(d)))
            .OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>Makes a new, empty project (data folder, workspace, catalog); the name must be free.</summary>
    /// <param name="detect">A detection project (boxes, see <see cref="Boxes.BoxProject"/>) rather than a classification one.</param>
    public StudioProject Create(string name, string? backbone = null, bool detect = false)
    {
        name = StudioNames.Check(name, "project");
        var root = Path.Combine(Root, name);
        if (Directory.Exists(root)) throw new StudioException($"a project named '{name}' already exists", StudioProblem.Conflict);
        // Built under a temporary name and renamed, so a half-made project is never listed.
        var staging = Path.Combine(Root, $".{name}.{Guid.NewGuid():N}.new");
        Directory.CreateDirectory(Path.Combine(staging, "data", FolderLayout.UnlabelledFolder));
        if (detect) File.WriteAllText(Path.Combine(staging, "data", Boxes.BoxProject.ClassesFileName), "");
        Directory.Move(staging, root);
        var project = Get(name);
        project.Workspace.EnsureCreated();
        using (var catalog = project.OpenCatalog())
        {
            catalog.SetMeta("data_dir", project.DataDir);
            if (backbone is not null) catalog.SetMeta(StudioProject.BackboneKey, backbone);
        }
        return project;
    }

    public StudioProject Open(string name)
    {
        if (!StudioNames.IsValid(name) || !Directory.Exists(Path.Combine(Root, name, "data")))
            throw new StudioException($"no project named '{name}'", StudioProblem.NotFound);
        return Get(name);
    }

    private StudioProject Get(string name) => _open.GetOrAdd(name, n =>
    {
        var project = new StudioProject(n, Path.Combine(Root, n));
        project.Recover();
        return project;
    });
}

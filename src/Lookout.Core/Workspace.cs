namespace Lookout.Core;

/// <summary>
/// (contract) The workspace folder: <c>catalog.db</c>, <c>cache/</c>, <c>runs/</c>, <c>models/</c>,
/// <c>frames/</c>, <c>events/</c>. By default it is <c>.lookout/</c> beside the data folder.
/// </summary>
public sealed class Workspace
{
    public const string DefaultFolderName = ".lookout";

    public Workspace(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new ArgumentException("workspace path is empty", nameof(root));
        Root = Path.GetFullPath(root);
    }

    /// <summary>The default workspace for a data folder: a <c>.lookout</c> sibling of it.</summary>
    public static Workspace ForDataDir(string dataDir)
    {
        var full = Path.GetFullPath(dataDir).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(full) ?? full;
        return new Workspace(Path.Combine(parent, DefaultFolderName));
    }

    public string Root { get; }
    public string CatalogPath => Path.Combine(Root, "catalog.db");
    public string CacheDir => Path.Combine(Root, "cache");
    public string RunsDir => Path.Combine(Root, "runs");
    public string ModelsDir => Path.Combine(Root, "models");
    /// <summary>Score recipes (<c>lookout score</c>, <c>/v1/score</c>) by name: <c>recipes/    public string ModelsDir => Path.Combine(Root, "models");lt;name    public string ModelsDir => Path.Combine(Root, "models");gt;.yaml</c>.</summary>
    public string RecipesDir => Path.Combine(Root, "recipes");
    public string FramesDir => Path.Combine(Root, "frames");
    public string EventsDir => Path.Combine(Root, "events");

    /// <summary>Creates the workspace folders that do not exist yet; returns this for chaining.</summary>
    public Workspace EnsureCreated()
    {
        foreach (var dir in new[] { Root, CacheDir, RunsDir, ModelsDir, FramesDir, EventsDir })
            Directory.CreateDirectory(dir);
        return this;
    }

    public override string ToString() => Root;
}

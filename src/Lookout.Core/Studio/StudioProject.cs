using Lookout.Core.Datasets;
using Lookout.Core.Models.Backbones;

namespace Lookout.Core.Studio;

/// <summary>
/// One studio project: a data folder (<c>&lt;project&gt;/data</c>, one folder per class, the layout <c>lookout train</c>
/// reads) and its workspace (<c>&lt;project&gt;/.lookout</c>, the default workspace of that data folder). Every change
/// goes through <see cref="Gate"/>, so two browser tabs (or a tab and an upload) never interleave half-changes.
/// </summary>
public sealed class StudioProject
{
    public const string BackboneKey = "studio.backbone";
    public const string BlurThresholdKey = "studio.blur_threshold";
    public const double DefaultBlurThreshold = 60;

    internal StudioProject(string name, string root)
    {
        Name = name;
        Root = root;
        DataDir = Path.Combine(root, "data");
        Workspace = Workspace.ForDataDir(DataDir);
        Datasets = new DatasetService(Workspace);
    }

    public string Name { get; }
    public string Root { get; }
    public string DataDir { get; }
    public Workspace Workspace { get; }
    public DatasetService Datasets { get; }

    /// <summary>Serialises every change (moves, scans, renames) of this project.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public string TempDir => Path.Combine(Workspace.Root, "tmp");
    public string ThumbsDir => Path.Combine(Workspace.CacheDir, "thumbs");
    public string WalkthroughsDir => Path.Combine(Workspace.Root, "walkthroughs");
    public string EmbeddingsPath => Path.Combine(Workspace.CacheDir, "embeddings.db");

    /// <summary>Opens catalog.db with the studio tables present.</summary>
    internal Catalog OpenCatalog()
    {
        var catalog = Catalog.Open(Workspace.CatalogPath);
        try
        {
            // Once per process is enough: the tables are only ever added.
            if (!_schemaReady) { StudioSchema.Ensure(catalog); _schemaReady = true; }
            return catalog;
        }
        catch
        {
            catalog.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Finishes moves a killed process had committed but not made (once, when the project is first opened in this
    /// process; later changes replay their own moves while holding the gate, so readers never race a move).
    /// </summary>
    internal void Recover()
    {
        if (!File.Exists(Workspace.CatalogPath)) return;
        Gate.Wait();
        try
        {
            using var catalog = OpenCatalog();
            MoveJournal.Replay(catalog, DataDir);
        }
        finally { Gate.Release(); }
    }

    private volatile bool _schemaReady;

    public string Backbone => Setting(BackboneKey) ?? BackboneResolver.DefaultName;

    public double BlurThreshold =>
        double.TryParse(Setting(BlurThresholdKey), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : DefaultBlurThreshold;

    public string? Setting(string key)
    {
        using var catalog = OpenCatalog();
        return catalog.GetMeta(key);
    }

    public void SetSetting(string key, string value)
    {
        using var catalog = OpenCatalog();
        catalog.SetMeta(key, value);
    }

    /// <summary>Runs <paramref name="action"/> holding the project's gate.</summary>
    public async Task<T> LockedAsync<T>(Func<Task<T>> action, CancellationToken ct = default)
    {
        await Gate.WaitAsync(ct).ConfigureAwait(false);
        try { return await action().ConfigureAwait(false); }
        finally { Gate.Release(); }
    }

    public Task<T> Locked<T>(Func<T> action, CancellationToken ct = default) => LockedAsync(() => Task.FromResult(action()), ct);
}

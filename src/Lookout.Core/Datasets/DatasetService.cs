namespace Lookout.Core.Datasets;

/// <summary>Result of <see cref="DatasetService.Split"/>: how many items got a split now, and the totals after.</summary>
/// <see cref="TimeBlocked"/>: classes with too few sources, whose videos were split by time with gaps (<see cref="Split.Excluded"/>).
public sealed record SplitResult(int Assigned, int Train, int Val, int Test, int Groups, bool FolderSplits)
{
    public IReadOnlyList<TimeBlockedClass> TimeBlocked { get; init; } = [];
}

/// <summary>
/// The dataset verbs (scan, stats, split, snapshot) over one workspace's catalog. Each call opens the catalog
/// for its own duration, so the service holds no open handles.
/// </summary>
public sealed class DatasetService(Workspace workspace)
{
    private const string DataDirKey = "data_dir";

    public Workspace Workspace { get; } = workspace;

    /// <summary>The service for a data folder: its workspace is <paramref name="workspacePath"/> or <c>.lookout</c> beside it.</summary>
    public static DatasetService ForDataDir(string dataDir, string? workspacePath = null) =>
        new(workspacePath is null ? Workspace.ForDataDir(dataDir) : new Workspace(workspacePath));

    /// <summary>The data folder recorded by the last scan, or null before the first scan.</summary>
    public string? DataDir
    {
        get
        {
            if (!File.Exists(Workspace.CatalogPath)) return null;
            using var catalog = Catalog.Open(Workspace.CatalogPath);
            return catalog.GetMeta(DataDirKey);
        }
    }

    public async Task<ScanResult> ScanAsync(string dataDir, ScanOptions? options = null, IProgress<ScanProgress>? progress = null, CancellationToken ct = default)
    {
        options ??= new ScanOptions();
        options.Validate();
        var root = Path.GetFullPath(dataDir);
        Workspace.EnsureCreated();
        using var catalog = Catalog.Open(Workspace.CatalogPath);
        var recorded = catalog.GetMeta(DataDirKey);
        // A workspace follows its data folder if that folder was moved (paths in the catalog are relative).
        if (recorded is not null && recorded != root && Directory.Exists(recorded))
            throw new InvalidOperationException($"workspace {Workspace.Root} belongs to data folder {recorded}; give another workspace for {root}");
        catalog.SetMeta(DataDirKey, root);
        MoveJournal.Replay(catalog, root); // finish moves a killed studio had committed but not yet made
        return await new DatasetScanner(Workspace, catalog, options).ScanAsync(root, progress, ct).ConfigureAwait(false);
    }

    /// <summary>Every catalog row, including unreadable and missing ones.</summary>
    public IReadOnlyList<CatalogItem> Items()
    {
        if (!File.Exists(Workspace.CatalogPath)) return [];
        using var catalog = Catalog.Open(Workspace.CatalogPath);
        return catalog.All();
    }

    public DatasetStats Stats(double imbalanceThreshold = DatasetStatsCalculator.DefaultImbalanceThreshold)
    {
        var items = Items();
        return DatasetStatsCalculator.Compute(items, ToSnapshot(items), imbalanceThreshold);
    }

    /// <summary>Usable, labelled items with absolute paths, split and leakage group: what training reads.</summary>
    public IReadOnlyList<LabeledImage> Snapshot() => ToSnapshot(Items());

    /// <summary>SHA-256 over the sorted (content hash, label, split) of <see cref="Snapshot"/>.</summary>
    public string ManifestHash() => DatasetManifest.Hash(Snapshot());

    /// <summary>
    /// Assigns train/val/test to items without one (all of them with <see cref="SplitOptions.Reassign"/>),
    /// deterministically from the seed. Folder-given and manual splits are never changed.
    /// </summary>
    public SplitResult Split(SplitOptions? options = null)
    {
        options ??= new SplitOptions();
        options.Validate();
        Workspace.EnsureCreated();
        using var catalog = Catalog.Open(Workspace.CatalogPath);
        var usable = catalog.All().Where(i => i.IsUsable).ToList();
        var groups = ItemGroups.Compute(usable);
        var candidates = usable.Select(i => new SplitCandidate(i.Path, i.Label!, groups[i.Path], i.Split, i.SplitOrigin,
            i.Kind == ItemKind.Frame ? i.SourceTimeMs : null)).ToList();
        var plan = DatasetSplitter.Plan(candidates, options);
        var assigned = plan.Assignments;
        catalog.Write(w => { foreach (var (path, split) in assigned) w.SetSplit(path, split, SplitOrigin.Auto); });

        var after = candidates.Select(c => assigned.TryGetValue(c.Path, out var s) ? s : c.Split).ToList();
        return new SplitResult(assigned.Count, after.Count(s => s == Datasets.Split.Train), after.Count(s => s == Datasets.Split.Val),
            after.Count(s => s == Datasets.Split.Test), groups.Values.Distinct().Count(), usable.Any(i => i.SplitOrigin == SplitOrigin.Folder))
        {
            TimeBlocked = plan.TimeBlocked,
        };
    }

    /// <summary>Sets a person's label on an item (kept across rescans).</summary>
    public void SetLabel(string path, string label)
    {
        LabelNames.Validate(label);
        using var catalog = Catalog.Open(Workspace.CatalogPath);
        if (catalog.Query("SELECT * FROM items WHERE path=$p", ("$p", path)).Count == 0)
            throw new KeyNotFoundException($"no catalog item {path}");
        catalog.Write(w => w.SetLabel(path, label));
    }

    private IReadOnlyList<LabeledImage> ToSnapshot(IReadOnlyList<CatalogItem> items)
    {
        var usable = items.Where(i => i.IsUsable).ToList();
        if (usable.Count == 0) return [];
        var dataDir = DataDir ?? throw new InvalidOperationException("the catalog has items but no data folder");
        var groups = ItemGroups.Compute(usable);
        return usable.Select(i => new LabeledImage(
                i.Kind == ItemKind.Frame ? Path.Combine(Workspace.Root, i.File!) : Path.Combine(dataDir, i.Path),
                i.Sha256!, i.Label!, i.Split, groups[i.Path]))
            .ToList();
    }
}

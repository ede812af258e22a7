using Lookout.Core.Datasets;
using Lookout.Core.IO;

namespace Lookout.Core.Evaluation.Walkthroughs;

/// <summary>
/// Reads the walk-throughs a workspace holds (added and segmented in the studio; tables in catalog.db, videos under the
/// workspace) so that <c>eval</c> and the report can score every run on them. Read-only: the studio owns writing them.
/// </summary>
public static class WalkthroughCatalog
{
    /// <summary>The walk-throughs of <paramref name="workspace"/>, each with its segments; none when it has no catalog or never had one.</summary>
    public static IReadOnlyList<Walkthrough> ListIn(Workspace workspace)
    {
        if (!File.Exists(workspace.CatalogPath)) return [];
        using var catalog = Catalog.Open(workspace.CatalogPath);
        return Read(catalog);
    }

    /// <summary>Every walk-through in an open catalog, in the order they were added.</summary>
    internal static IReadOnlyList<Walkthrough> Read(Catalog catalog)
    {
        if (!HasTable(catalog, "studio_walkthroughs") || !HasTable(catalog, "studio_segments")) return [];
        var rows = new List<(long Id, string Sha, string File, string Name, long Duration)>();
        using (var cmd = catalog.Connection.Command("SELECT id, sha, file, name, duration_ms FROM studio_walkthroughs ORDER BY id"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) rows.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4)));
        return rows.Select(w => new Walkthrough(w.Id, w.Sha, w.File, w.Name, w.Duration, Segments(catalog, w.Id))).ToList();
    }

    /// <summary>Where a walk-through's video is (its <see cref="Walkthrough.File"/> is relative to the workspace).</summary>
    public static string PathOf(Workspace workspace, Walkthrough w) => Path.Combine(workspace.Root, w.File);

    private static List<TimeSegment> Segments(Catalog catalog, long id)
    {
        using var cmd = catalog.Connection.Command("SELECT start_ms, end_ms, label FROM studio_segments WHERE walkthrough=$w ORDER BY start_ms", ("$w", id));
        using var r = cmd.ExecuteReader();
        var list = new List<TimeSegment>();
        while (r.Read()) list.Add(new TimeSegment(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2)));
        return list;
    }

    private static bool HasTable(Catalog catalog, string name)
    {
        using var cmd = catalog.Connection.Command("SELECT 1 FROM sqlite_master WHERE type='table' AND name=$n", ("$n", name));
        return cmd.ExecuteScalar() is not null;
    }
}

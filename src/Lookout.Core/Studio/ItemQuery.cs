using Lookout.Core.Datasets;
using Lookout.Core.IO;
using Microsoft.Data.Sqlite;

namespace Lookout.Core.Studio;

/// <summary>Reads grid items (photos and frames that decoded) with their pixel facts and the current run's suggestion.</summary>
public static class ItemQuery
{
    private const string Select = """
        SELECT i.rowid, i.kind, i.sha256, i.label, i.split, i.path, i.source, i.source_ms, i.width, i.height,
               (substr(i.path,1,length($ex))=$ex OR f.path IS NOT NULL) AS excluded,
               m.sharpness, m.contrast, m.dhash, m.thumb_w, m.thumb_h,
               s.run, s.label, s.score, s.second, s.margin, s.unknown
        FROM items i
        LEFT JOIN studio_excluded_frames f ON f.path = i.path
        LEFT JOIN studio_media m ON m.sha = i.sha256
        LEFT JOIN studio_suggestions s ON s.sha = i.sha256 AND s.run = $run
        WHERE i.status='Ok' AND i.kind IN ('Image','Frame') AND i.sha256 IS NOT NULL
        """;

    /// <param name="limit">At most this many (the first screen asks for a page, then the rest).</param>
    public static IReadOnlyList<StudioItem> List(StudioProject project, ItemView view, string? label = null, string? run = null, int? limit = null)
    {
        using var catalog = project.OpenCatalog();
        var where = view switch
        {
            ItemView.Inbox => " AND i.label IS NULL AND NOT excluded",
            ItemView.Class => " AND i.label = $label AND NOT excluded",
            ItemView.Excluded => " AND excluded",
            _ => "",
        };
        var page = limit is { } n ? $" LIMIT {Math.Max(0, n)}" : "";
        return Read(catalog.Connection, Select + where + " ORDER BY i.rowid" + page, ("$label", label), ("$run", run ?? ""));
    }

    /// <summary>How many items a view has (for a paged first screen).</summary>
    public static int Count(StudioProject project, ItemView view, string? label = null)
    {
        using var catalog = project.OpenCatalog();
        var where = view switch
        {
            ItemView.Inbox => " WHERE label IS NULL AND NOT excluded",
            ItemView.Class => " WHERE label = $label AND NOT excluded",
            ItemView.Excluded => " WHERE excluded",
            _ => "",
        };
        using var cmd = catalog.Connection.Command($"""
            SELECT COUNT(*) FROM (
              SELECT i.label, (substr(i.path,1,length($ex))=$ex OR f.path IS NOT NULL) AS excluded
              FROM items i LEFT JOIN studio_excluded_frames f ON f.path = i.path
              WHERE i.status='Ok' AND i.kind IN ('Image','Frame') AND i.sha256 IS NOT NULL){where}
            """, ("$ex", FolderLayout.ExcludedFolder + "/"), ("$label", label));
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// How many grid items a project has: unlabelled (inbox), excluded, all. One aggregate query. <paramref name="photosOnly"/>
    /// leaves video frames out (a detection project boxes the pictures written from them instead).
    /// </summary>
    public static (int Inbox, int Excluded, int Total) Counts(StudioProject project, bool photosOnly = false)
    {
        using var catalog = project.OpenCatalog();
        var kinds = photosOnly ? "'Image'" : "'Image','Frame'";
        using var cmd = catalog.Connection.Command($"""
            SELECT COALESCE(SUM(label IS NULL AND NOT excluded), 0), COALESCE(SUM(excluded), 0), COUNT(*) FROM (
              SELECT i.label, (substr(i.path,1,length($ex))=$ex OR f.path IS NOT NULL) AS excluded
              FROM items i LEFT JOIN studio_excluded_frames f ON f.path = i.path
              WHERE i.status='Ok' AND i.kind IN ({kinds}) AND i.sha256 IS NOT NULL)
            """, ("$ex", FolderLayout.ExcludedFolder + "/"));
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt32(0), r.GetInt32(1), r.GetInt32(2));
    }

    /// <summary>The items with these ids (unknown ids are left out).</summary>
    public static IReadOnlyList<StudioItem> ByIds(StudioProject project, IReadOnlyCollection<long> ids, string? run = null)
    {
        using var catalog = project.OpenCatalog();
        return ByIds(catalog, ids, run);
    }

    internal static IReadOnlyList<StudioItem> ByIds(Catalog catalog, IReadOnlyCollection<long> ids, string? run = null)
    {
        if (ids.Count == 0) return [];
        var list = string.Join(",", ids.Distinct().Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return Read(catalog.Connection, Select + $" AND i.rowid IN ({list}) ORDER BY i.rowid", ("$run", run ?? ""));
    }

    /// <summary>The data-folder path (or workspace frame file) of an item with this content hash, for thumbnails.</summary>
    public static string? FileOf(StudioProject project, string sha)
    {
        using var catalog = project.OpenCatalog();
        using var cmd = catalog.Connection.Command("SELECT kind, path, file FROM items WHERE sha256=$s AND status='Ok' AND kind IN ('Image','Frame') LIMIT 1", ("$s", sha));
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        return r.GetString(0) == nameof(ItemKind.Frame)
            ? System.IO.Path.Combine(project.Workspace.Root, r.GetString(2))
            : System.IO.Path.Combine(project.DataDir, r.GetString(1));
    }

    /// <summary>One readable file per content hash (photos in the data folder, frames in the workspace).</summary>
    internal static Dictionary<string, string> Files(StudioProject project)
    {
        using var catalog = project.OpenCatalog();
        using var cmd = catalog.Connection.Command("SELECT sha256, kind, path, file FROM items WHERE status='Ok' AND kind IN ('Image','Frame') AND sha256 IS NOT NULL");
        using var r = cmd.ExecuteReader();
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        while (r.Read())
            files.TryAdd(r.GetString(0), r.GetString(1) == nameof(ItemKind.Frame)
                ? System.IO.Path.Combine(project.Workspace.Root, r.GetString(3))
                : System.IO.Path.Combine(project.DataDir, r.GetString(2)));
        return files;
    }

    private static List<StudioItem> Read(SqliteConnection db, string sql, params (string, object?)[] args)
    {
        using var cmd = db.Command(sql, [.. args, ("$ex", FolderLayout.ExcludedFolder + "/")]);
        if (!args.Any(a => a.Item1 == "$run")) cmd.Parameters.AddWithValue("$run", "");
        if (!args.Any(a => a.Item1 == "$label")) cmd.Parameters.AddWithValue("$label", DBNull.Value);
        using var r = cmd.ExecuteReader();
        var items = new List<StudioItem>();
        while (r.Read())
        {
            var kind = Enum.Parse<ItemKind>(r.GetString(1));
            var path = r.GetString(5);
            var source = r.GetString(6);
            var media = r.IsDBNull(11) ? null : new MediaFacts(r.GetDouble(11), r.GetDouble(12), unchecked((ulong)r.GetInt64(13)), r.GetInt32(14), r.GetInt32(15));
            var suggestion = r.IsDBNull(16) ? null : new Suggestion(r.GetString(16), r.GetString(17), r.GetDouble(18), r.IsDBNull(19) ? null : r.GetString(19), r.GetDouble(20), r.GetInt64(21) == 1);
            items.Add(new StudioItem(r.GetInt64(0), kind, r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), Enum.Parse<Split>(r.GetString(4)),
                NameOf(kind == ItemKind.Frame ? source : path), kind == ItemKind.Frame ? NameOf(source) : null,
                r.IsDBNull(7) ? null : r.GetInt64(7), r.IsDBNull(8) ? 0 : r.GetInt32(8), r.IsDBNull(9) ? 0 : r.GetInt32(9),
                r.GetInt64(10) == 1, media, suggestion) { Path = path });
        }
        return items;
    }

    private static string NameOf(string path) => path[(path.LastIndexOf('/') + 1)..];
}

using Lookout.Core.IO;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Lookout.Core.Datasets;

/// <summary>
/// The workspace's <c>catalog.db</c> (SQLite, WAL): every item with its hash, label, split, size and status.
/// Writes go through <see cref="Write"/> transactions so a crash never leaves half an update.
/// </summary>
public sealed class Catalog : IDisposable
{
    private const int SchemaVersion = 1;
    private readonly SqliteConnection _db;

    private Catalog(SqliteConnection db) => _db = db;

    public static Catalog Open(string path)
    {
        var catalog = new Catalog(SqliteFile.Open(path));
        catalog.Migrate();
        return catalog;
    }

    private void Migrate()
    {
        Exec("""
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS items(
                path TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
                sha256 TEXT, label TEXT, label_manual INTEGER NOT NULL DEFAULT 0,
                split TEXT NOT NULL DEFAULT 'Unassigned', split_origin TEXT NOT NULL DEFAULT 'None',
                source TEXT NOT NULL, source_ms INTEGER, file TEXT,
                width INTEGER, height INTEGER, bytes INTEGER NOT NULL DEFAULT 0,
                mtime INTEGER NOT NULL DEFAULT 0, size INTEGER NOT NULL DEFAULT 0, frame_params TEXT);
            CREATE INDEX IF NOT EXISTS items_source ON items(source);
            CREATE INDEX IF NOT EXISTS items_sha ON items(sha256);
            """);
        var version = GetMeta("schema_version");
        if (version is null) SetMeta("schema_version", SchemaVersion.ToString(CultureInfo.InvariantCulture));
        else if (version != SchemaVersion.ToString(CultureInfo.InvariantCulture))
            throw new InvalidDataException($"catalog schema version {version} is not supported (expected {SchemaVersion})");
    }

    public string? GetMeta(string key)
    {
        using var cmd = Command("SELECT value FROM meta WHERE key=$k", ("$k", key));
        return cmd.ExecuteScalar() as string;
    }

    public void SetMeta(string key, string value)
    {
        using var cmd = Command("INSERT INTO meta(key,value) VALUES($k,$v) ON CONFLICT(key) DO UPDATE SET value=excluded.value", ("$k", key), ("$v", value));
        cmd.ExecuteNonQuery();
    }

    /// <summary>Runs <paramref name="action"/> in one transaction (committed if it returns, rolled back if it throws).</summary>
    public void Write(Action<CatalogWriter> action)
    {
        using var tx = _db.BeginTransaction();
        action(new CatalogWriter(this));
        tx.Commit();
    }

    /// <summary>The open connection, for layers that keep their own tables in catalog.db (the studio) and must join them.</summary>
    internal SqliteConnection Connection => _db;

    public IReadOnlyList<CatalogItem> All() => Query("SELECT * FROM items ORDER BY path");

    internal IReadOnlyList<CatalogItem> Query(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(sql, args);
        using var r = cmd.ExecuteReader();
        var list = new List<CatalogItem>();
        while (r.Read()) list.Add(ReadItem(r));
        return list;
    }

    internal void Upsert(CatalogItem item)
    {
        // Labels set by a person and splits set by the splitter or a person survive rescans; folder facts win otherwise.
        using var cmd = Command("""
            INSERT INTO items(path,kind,status,reason,sha256,label,label_manual,split,split_origin,source,source_ms,file,width,height,bytes,mtime,size,frame_params)
            VALUES($path,$kind,$status,$reason,$sha,$label,$lm,$split,$so,$source,$sms,$file,$w,$h,$bytes,$mtime,$size,$fp)
            ON CONFLICT(path) DO UPDATE SET kind=excluded.kind, status=excluded.status, reason=excluded.reason,
                sha256=excluded.sha256,
                label=CASE WHEN items.label_manual=1 THEN items.label ELSE excluded.label END,
                split=CASE WHEN excluded.split_origin='Folder' OR items.split_origin NOT IN ('Auto','Manual') THEN excluded.split ELSE items.split END,
                split_origin=CASE WHEN excluded.split_origin='Folder' OR items.split_origin NOT IN ('Auto','Manual') THEN excluded.split_origin ELSE items.split_origin END,
                source=excluded.source, source_ms=excluded.source_ms, file=excluded.file, width=excluded.width,
                height=excluded.height, bytes=excluded.bytes, mtime=excluded.mtime, size=excluded.size, frame_params=excluded.frame_params
            """,
            ("$path", item.Path), ("$kind", item.Kind.ToString()), ("$status", item.Status.ToString()), ("$reason", item.Reason),
            ("$sha", item.Sha256), ("$label", item.Label), ("$lm", item.LabelIsManual ? 1 : 0), ("$split", item.Split.ToString()),
            ("$so", item.SplitOrigin.ToString()), ("$source", item.Source), ("$sms", item.SourceTimeMs), ("$file", item.File),
            ("$w", item.Width), ("$h", item.Height), ("$bytes", item.Bytes), ("$mtime", item.MTime), ("$size", item.Size), ("$fp", item.FrameParameters));
        cmd.ExecuteNonQuery();
    }

    internal void Exec(string sql, params (string Name, object? Value)[] args) => _db.Execute(sql, args);

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] args) => _db.Command(sql, args);

    internal static CatalogItem ReadItem(SqliteDataReader r)
    {
        string? Str(string c) => r.IsDBNull(r.GetOrdinal(c)) ? null : r.GetString(r.GetOrdinal(c));
        long? Long(string c) => r.IsDBNull(r.GetOrdinal(c)) ? null : r.GetInt64(r.GetOrdinal(c));
        return new CatalogItem
        {
            Path = Str("path")!,
            Kind = Enum.Parse<ItemKind>(Str("kind")!),
            Status = Enum.Parse<ItemStatus>(Str("status")!),
            Reason = Str("reason"),
            Sha256 = Str("sha256"),
            Label = Str("label"),
            LabelIsManual = Long("label_manual") == 1,
            Split = Enum.Parse<Split>(Str("split")!),
            SplitOrigin = Enum.Parse<SplitOrigin>(Str("split_origin")!),
            Source = Str("source")!,
            SourceTimeMs = Long("source_ms"),
            File = Str("file"),
            Width = (int?)Long("width"),
            Height = (int?)Long("height"),
            Bytes = Long("bytes") ?? 0,
            MTime = Long("mtime") ?? 0,
            Size = Long("size") ?? 0,
            FrameParameters = Str("frame_params"),
        };
    }

    public void Dispose() => _db.Dispose();
}

/// <summary>The write operations, only reachable inside a <see cref="Catalog.Write"/> transaction.</summary>
public sealed class CatalogWriter
{
    private readonly Catalog _catalog;
    internal CatalogWriter(Catalog catalog) => _catalog = catalog;

    public void Upsert(CatalogItem item) => _catalog.Upsert(item);

    public void SetSplit(string path, Split split, SplitOrigin origin) =>
        _catalog.Exec("UPDATE items SET split=$s, split_origin=$o WHERE path=$p", ("$s", split.ToString()), ("$o", origin.ToString()), ("$p", path));

    /// <summary>A person's label: kept across rescans even if the file stays in another label's folder. A video's label goes to its frames.</summary>
    public void SetLabel(string path, string label) =>
        _catalog.Exec("UPDATE items SET label=$l, label_manual=1 WHERE path=$p OR (kind='Frame' AND source=$p)", ("$l", label), ("$p", path));

    public void MarkMissing(string path) =>
        _catalog.Exec("UPDATE items SET status='Missing', reason='file no longer in the data folder' WHERE path=$p OR (kind='Frame' AND source=$p)", ("$p", path));

    /// <summary>Deletes a video's frame rows (before re-extracting them).</summary>
    public void DeleteFrames(string videoPath) =>
        _catalog.Exec("DELETE FROM items WHERE kind='Frame' AND source=$p", ("$p", videoPath));
}

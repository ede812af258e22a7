using Lookout.Core.IO;
using System.Globalization;
using Lookout.Core.Watch.Alerts;
using Microsoft.Data.Sqlite;
using Lookout.Core.Imaging;

namespace Lookout.Core.Watch.Events;

/// <summary>
/// The <c>events</c> table in the workspace catalog (<c>&lt;workspace&gt;/catalog.db</c>, WAL). The watcher owns this
/// table only; it creates it if missing and writes one transaction per event, so a kill leaves whole rows or none.
/// Backs <c>lookout events list</c>.
/// </summary>
public sealed class EventStore : IDisposable
{
    public const string FileName = "catalog.db";

    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();

    private EventStore(SqliteConnection db, string path)
    {
        _db = db;
        Path = path;
    }

    public string Path { get; }

    public static EventStore Open(string workspace)
    {
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(workspace, FileName));
        var db = SqliteFile.Open(path);
        db.Execute("""
            CREATE TABLE IF NOT EXISTS events (
                id TEXT PRIMARY KEY,
                time_utc TEXT NOT NULL,
                camera TEXT NOT NULL,
                rule TEXT NOT NULL,
                label TEXT NOT NULL,
                score REAL NOT NULL,
                top_score REAL NOT NULL,
                frame_time REAL NOT NULL,
                seq INTEGER NOT NULL,
                box TEXT,
                snapshot TEXT
            );
            CREATE INDEX IF NOT EXISTS events_time ON events(time_utc);
            """);
        return new EventStore(db, path);
    }

    public void Add(AlertEvent e)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO events (id, time_utc, camera, rule, label, score, top_score, frame_time, seq, box, snapshot)
                VALUES ($id, $time, $camera, $rule, $label, $score, $top, $frame_time, $seq, $box, $snapshot)
                """;
            cmd.Parameters.AddWithValue("$id", e.Id);
            cmd.Parameters.AddWithValue("$time", e.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            cmd.Parameters.AddWithValue("$camera", e.Camera);
            cmd.Parameters.AddWithValue("$rule", e.Rule);
            cmd.Parameters.AddWithValue("$label", e.Label);
            cmd.Parameters.AddWithValue("$score", (double)e.Score);
            cmd.Parameters.AddWithValue("$top", (double)e.TopScore);
            cmd.Parameters.AddWithValue("$frame_time", e.FrameTime.TotalSeconds);
            cmd.Parameters.AddWithValue("$seq", e.Seq);
            cmd.Parameters.AddWithValue("$box", e.Box is { } b ? FormattableString.Invariant($"{b.X1},{b.Y1},{b.X2},{b.Y2}") : DBNull.Value);
            cmd.Parameters.AddWithValue("$snapshot", (object?)e.SnapshotPath ?? DBNull.Value);
            cmd.ExecuteNonQuery();
            tx.Commit();
        }
    }

    /// <summary>Newest first; optionally only one camera and/or events at or after <paramref name="since"/>.</summary>
    public IReadOnlyList<AlertEvent> List(int limit = 100, string? camera = null, DateTimeOffset? since = null)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = """
                SELECT id, time_utc, camera, rule, label, score, top_score, frame_time, seq, box, snapshot FROM events
                WHERE ($camera IS NULL OR camera = $camera) AND ($since IS NULL OR time_utc >= $since)
                ORDER BY time_utc DESC, id LIMIT $limit
                """;
            cmd.Parameters.AddWithValue("$camera", (object?)camera ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$since", since is { } s ? s.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) : DBNull.Value);
            cmd.Parameters.AddWithValue("$limit", Math.Max(0, limit));
            using var r = cmd.ExecuteReader();
            var list = new List<AlertEvent>();
            while (r.Read())
                list.Add(new AlertEvent(r.GetString(0), r.GetString(2), r.GetString(3), r.GetString(4), (float)r.GetDouble(5), (float)r.GetDouble(6),
                    DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                    TimeSpan.FromSeconds(r.GetDouble(7)), r.GetInt64(8), r.IsDBNull(9) ? null : ParseBox(r.GetString(9)), r.IsDBNull(10) ? null : r.GetString(10)));
            return list;
        }
    }

    /// <summary>Opens the workspace catalog read-side and lists events; an absent catalog simply has none.</summary>
    public static IReadOnlyList<AlertEvent> List(string workspace, int limit = 100, string? camera = null, DateTimeOffset? since = null)
    {
        if (!File.Exists(System.IO.Path.Combine(workspace, FileName))) return [];
        using var store = Open(workspace);
        return store.List(limit, camera, since);
    }

    private static BoxF ParseBox(string s)
    {
        var v = s.Split(',').Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return new BoxF(v[0], v[1], v[2], v[3]);
    }

    public void Dispose() => _db.Dispose();
}

using Microsoft.Data.Sqlite;

namespace Lookout.Core.IO;

/// <summary>
/// The one way Lookout opens its SQLite files (catalog.db, embeddings.db): WAL, a busy timeout so a second writer
/// (a watcher while training, the server while enrolling) waits instead of failing, no pooling so files are released
/// on dispose; and parameterised commands.
/// </summary>
public static class SqliteFile
{
    public static SqliteConnection Open(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
        db.Open();
        db.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;");
        return db;
    }

    public static SqliteCommand Command(this SqliteConnection db, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    public static int Execute(this SqliteConnection db, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = db.Command(sql, args);
        return cmd.ExecuteNonQuery();
    }
}

using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Lookout.Core.IO;

/// <summary>
/// The one way Lookout opens its SQLite files (catalog.db, embeddings.db): WAL, a busy timeout so a second writer
/// (a watcher while training, the server while enrolling) waits instead of failing, no pooling so files are released
/// on dispose; and parameterised commands.
/// </summary>
public static partial class SqliteFile
{
    private const int PersistWal = 10; // SQLITE_FCNTL_PERSIST_WAL

    public static SqliteConnection Open(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false }.ToString());
        db.Open();
        KeepWalFiles(db);
        // journal_size_limit: a kept WAL is cut back after checkpoints and emptied when the last connection closes, so a
        // big scan's WAL does not stay on disk for good.
        db.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; PRAGMA journal_size_limit=4194304;");
        return db;
    }

    /// <summary>
    /// Keeps the -wal and -shm files beside the database when the last connection closes. SQLite deletes them by
    /// default, and the next open must create them again, which a full disk refuses ("disk I/O error"): even reading
    /// a project then failed, so a user could not look at (or clean up) their data until space was freed elsewhere.
    /// </summary>
    private static void KeepWalFiles(SqliteConnection db)
    {
        int on = 1;
        try { _ = sqlite3_file_control(db.Handle!.DangerousGetHandle(), "main", PersistWal, ref on); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* another SQLite build: default behaviour */ }
    }

    [LibraryImport("e_sqlite3", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int sqlite3_file_control(IntPtr db, string name, int op, ref int arg);

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

using Lookout.Core.IO;

namespace Lookout.Core.Datasets;

/// <summary>
/// Moves of files and folders inside a data folder that the catalog already reflects. A change (relabel, class
/// rename) writes its new catalog rows and its moves here in ONE transaction, then makes the moves (each an atomic
/// rename) and clears them. A process killed in between leaves the moves here; <see cref="Replay"/> makes them on the
/// next open or scan, so the files always end up where the catalog says and no label or split is lost.
/// </summary>
internal static class MoveJournal
{
    public static void Ensure(Catalog catalog) =>
        catalog.Exec("CREATE TABLE IF NOT EXISTS pending_moves(id INTEGER PRIMARY KEY, src TEXT NOT NULL, dst TEXT NOT NULL)");

    /// <summary>Records a move (paths relative to the data folder); call inside the change's catalog transaction.</summary>
    public static void Add(Catalog catalog, string src, string dst) =>
        catalog.Exec("INSERT INTO pending_moves(src,dst) VALUES($s,$d)", ("$s", src), ("$d", dst));

    /// <summary>Makes every recorded move that is not made yet, in order, and forgets it. Idempotent.</summary>
    public static void Replay(Catalog catalog, string dataDir)
    {
        Ensure(catalog);
        var moves = new List<(long Id, string Src, string Dst)>();
        using (var cmd = catalog.Connection.Command("SELECT id, src, dst FROM pending_moves ORDER BY id"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) moves.Add((r.GetInt64(0), r.GetString(1), r.GetString(2)));
        foreach (var (id, src, dst) in moves)
        {
            Move(Path.Combine(dataDir, src), Path.Combine(dataDir, dst));
            catalog.Exec("DELETE FROM pending_moves WHERE id=$i", ("$i", id));
        }
    }

    /// <summary>One rename: a file or a whole folder. Already made (source gone) is fine; a taken destination is an error.</summary>
    private static void Move(string src, string dst)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
        if (File.Exists(src))
        {
            if (File.Exists(dst)) throw new IOException($"cannot move {Path.GetFileName(src)}: the destination exists");
            File.Move(src, dst);
        }
        else if (Directory.Exists(src))
        {
            if (Directory.Exists(dst))
            {
                // A class folder renamed onto an empty folder (made by an earlier, interrupted attempt) is merged.
                if (Directory.EnumerateFileSystemEntries(dst).Any()) throw new IOException($"cannot rename {Path.GetFileName(src)}: the destination exists");
                Directory.Delete(dst);
            }
            Directory.Move(src, dst);
        }
    }
}

using Lookout.Core.IO;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Lookout.Core.Embeddings;

/// <summary>
/// Embeddings on disk keyed by (image content SHA-256, backbone cache key, preprocess spec fingerprint), as float32
/// BLOBs in one SQLite file (WAL). Content keys mean renamed or moved files are never re-embedded; transactions make
/// every write atomic, so an interrupted run leaves a valid cache. Thread-safe.
/// </summary>
public sealed class EmbeddingCache : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();

    public EmbeddingCache(string dbPath)
    {
        DbPath = dbPath;
        _db = SqliteFile.Open(dbPath);
        _db.Execute("""
            CREATE TABLE IF NOT EXISTS embeddings (
              sha TEXT NOT NULL, backbone TEXT NOT NULL, spec TEXT NOT NULL, dim INTEGER NOT NULL, vec BLOB NOT NULL,
              PRIMARY KEY (backbone, spec, sha)) WITHOUT ROWID;
            """);
    }

    public string DbPath { get; }

    /// <summary>The cached vectors among <paramref name="shas"/>; missing ones are simply absent.</summary>
    public Dictionary<string, float[]> GetMany(string backboneKey, string specFingerprint, IEnumerable<string> shas)
    {
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT vec FROM embeddings WHERE backbone=$b AND spec=$s AND sha=$h";
            cmd.Parameters.AddWithValue("$b", backboneKey);
            cmd.Parameters.AddWithValue("$s", specFingerprint);
            var sha = cmd.Parameters.Add("$h", SqliteType.Text);
            foreach (var h in shas.Distinct(StringComparer.Ordinal))
            {
                sha.Value = h;
                if (cmd.ExecuteScalar() is byte[] blob) result[h] = MemoryMarshal.Cast<byte, float>(blob).ToArray();
            }
        }
        return result;
    }

    /// <summary>Stores vectors in one transaction (all or nothing).</summary>
    public void PutMany(string backboneKey, string specFingerprint, IEnumerable<KeyValuePair<string, float[]>> vectors)
    {
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            using var cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR REPLACE INTO embeddings (sha, backbone, spec, dim, vec) VALUES ($h, $b, $s, $d, $v)";
            cmd.Parameters.AddWithValue("$b", backboneKey);
            cmd.Parameters.AddWithValue("$s", specFingerprint);
            var sha = cmd.Parameters.Add("$h", SqliteType.Text);
            var dim = cmd.Parameters.Add("$d", SqliteType.Integer);
            var vec = cmd.Parameters.Add("$v", SqliteType.Blob);
            foreach (var (h, v) in vectors)
            {
                sha.Value = h;
                dim.Value = v.Length;
                vec.Value = MemoryMarshal.AsBytes(v.AsSpan()).ToArray();
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    public long Count(string backboneKey, string specFingerprint)
    {
        lock (_lock)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*) FROM embeddings WHERE backbone=$b AND spec=$s";
            cmd.Parameters.AddWithValue("$b", backboneKey);
            cmd.Parameters.AddWithValue("$s", specFingerprint);
            return (long)cmd.ExecuteScalar()!;
        }
    }

    public void Dispose() => _db.Dispose();
}

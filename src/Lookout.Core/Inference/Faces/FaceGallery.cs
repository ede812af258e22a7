using Lookout.Core.IO;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Lookout.Core.Inference.Faces;

/// <summary>One enrolled descriptor: who, the descriptor, the SHA-256 of the photo it came from, when.</summary>
public sealed record EnrolledFace(long Id, string Name, float[] Descriptor, string? SourceSha, DateTimeOffset Added);

/// <summary>A name in the gallery and how many descriptors it has.</summary>
public sealed record EnrolledName(string Name, int Faces, DateTimeOffset LastAdded);

/// <summary>
/// Enrolled faces, stored in the workspace's <c>catalog.db</c> (SQLite, WAL) in Lookout's own tables
/// <c>faces(name, descriptor BLOB, source_sha, added)</c> and <c>faces_meta</c> (e.g. a calibrated threshold).
/// Every write is one transaction. Opening is cheap; one instance per request or command.
/// </summary>
public sealed class FaceGallery : IDisposable
{
    public const string Unknown = "unknown";
    private const string ThresholdKey = "threshold";
    private readonly SqliteConnection _db;

    private FaceGallery(SqliteConnection db) => _db = db;

    public static FaceGallery Open(string catalogPath)
    {
        var gallery = new FaceGallery(SqliteFile.Open(catalogPath));
        gallery.Exec("""
            CREATE TABLE IF NOT EXISTS faces(
                id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, descriptor BLOB NOT NULL,
                source_sha TEXT, added TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS faces_name ON faces(name);
            CREATE TABLE IF NOT EXISTS faces_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """);
        return gallery;
    }

    /// <summary>Names are trimmed, non-empty, at most 100 characters, and never the reserved answer "unknown".</summary>
    public static string ValidateName(string? name)
    {
        var n = name?.Trim() ?? "";
        if (n.Length == 0) throw new ArgumentException("user id not specified");
        if (n.Length > 100) throw new ArgumentException("name is longer than 100 characters");
        if (string.Equals(n, Unknown, StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"'{Unknown}' is reserved for faces that match nobody");
        return n;
    }

    /// <summary>Adds descriptors for one name in one transaction; returns how many were added.</summary>
    public int Enroll(string name, IEnumerable<(float[] Descriptor, string? SourceSha)> faces)
    {
        var n = ValidateName(name);
        using var tx = _db.BeginTransaction();
        int count = 0;
        var added = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        foreach (var (descriptor, sha) in faces)
        {
            if (descriptor.Length != FaceMatching.DescriptorLength || descriptor.Any(v => !float.IsFinite(v)))
                throw new ArgumentException($"a face descriptor must be {FaceMatching.DescriptorLength} finite values");
            using var cmd = Command("INSERT INTO faces(name, descriptor, source_sha, added) VALUES($n, $d, $s, $a)",
                ("$n", n), ("$d", ToBlob(descriptor)), ("$s", sha), ("$a", added));
            cmd.Transaction = tx;
            cmd.ExecuteNonQuery();
            count++;
        }
        tx.Commit();
        return count;
    }

    public IReadOnlyList<EnrolledName> Names()
    {
        using var cmd = Command("SELECT name, COUNT(*), MAX(added) FROM faces GROUP BY name ORDER BY name COLLATE NOCASE");
        using var r = cmd.ExecuteReader();
        var list = new List<EnrolledName>();
        while (r.Read()) list.Add(new EnrolledName(r.GetString(0), r.GetInt32(1), DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture)));
        return list;
    }

    /// <summary>Removes every descriptor of <paramref name="name"/> (exact, case-insensitive); returns how many.</summary>
    public int Remove(string name)
    {
        using var tx = _db.BeginTransaction();
        using var cmd = Command("DELETE FROM faces WHERE name = $n COLLATE NOCASE", ("$n", name.Trim()));
        cmd.Transaction = tx;
        int removed = cmd.ExecuteNonQuery();
        tx.Commit();
        return removed;
    }

    public IReadOnlyList<EnrolledFace> All()
    {
        using var cmd = Command("SELECT id, name, descriptor, source_sha, added FROM faces ORDER BY id");
        using var r = cmd.ExecuteReader();
        var list = new List<EnrolledFace>();
        while (r.Read())
            list.Add(new EnrolledFace(r.GetInt64(0), r.GetString(1), FromBlob((byte[])r[2]), r.IsDBNull(3) ? null : r.GetString(3),
                DateTimeOffset.Parse(r.GetString(4), CultureInfo.InvariantCulture)));
        return list;
    }

    /// <summary>The workspace's calibrated match threshold, if `faces calibrate --save` stored one.</summary>
    public float? StoredThreshold
    {
        get
        {
            using var cmd = Command("SELECT value FROM faces_meta WHERE key = $k", ("$k", ThresholdKey));
            return cmd.ExecuteScalar() is string s ? float.Parse(s, CultureInfo.InvariantCulture) : null;
        }
    }

    public void StoreThreshold(float threshold, string provenance)
    {
        if (threshold is < 0 or > 1 || float.IsNaN(threshold)) throw new ArgumentException("threshold must be in [0,1]");
        using var tx = _db.BeginTransaction();
        foreach (var (k, v) in new[] { (ThresholdKey, threshold.ToString("R", CultureInfo.InvariantCulture)), ("threshold_provenance", provenance) })
        {
            using var cmd = Command("INSERT INTO faces_meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value", ("$k", k), ("$v", v));
            cmd.Transaction = tx;
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    internal static byte[] ToBlob(float[] v)
    {
        var bytes = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), v[i]); // little-endian on every supported platform
        return bytes;
    }

    internal static float[] FromBlob(byte[] b)
    {
        if (b.Length % 4 != 0) throw new InvalidDataException("corrupt face descriptor in catalog.db");
        var v = new float[b.Length / 4];
        for (int i = 0; i < v.Length; i++) v[i] = BitConverter.ToSingle(b, i * 4);
        return v;
    }

    private void Exec(string sql) => _db.Execute(sql);

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] args) => _db.Command(sql, args);

    public void Dispose() => _db.Dispose();
}

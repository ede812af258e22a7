using Npgsql;

namespace Lookout.Scale.Cameras;

/// <summary>
/// The tables shared watchers use: one lease row per camera (owner, fencing epoch, expiry by the database clock),
/// one heartbeat row per running watcher (to count who shares the list), and the shared events table whose
/// unique (camera, rule, bucket) key is the dedupe key.
/// </summary>
public static class CameraSchema
{
    private const long SchemaLock = 0x4C6F6F6B6F7575; // serialises concurrent CREATE TABLE IF NOT EXISTS from watchers starting together

    public static NpgsqlDataSource Open(string connectionString)
    {
        try { return new NpgsqlDataSourceBuilder(connectionString).Build(); }
        catch (ArgumentException e)
        {
            throw new Core.LookoutException($"--db must be a PostgreSQL connection string like \"Host=db;Username=lookout;Password=...;Database=lookout\" ({e.Message})");
        }
    }

    public static async Task EnsureAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@k)", conn, tx))
        {
            lockCmd.Parameters.AddWithValue("k", SchemaLock);
            await lockCmd.ExecuteNonQueryAsync(ct);
        }
        await using var cmd = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS lookout_camera_leases (
                camera text PRIMARY KEY, owner text, epoch bigint NOT NULL DEFAULT 0,
                expires_at timestamptz NOT NULL DEFAULT '-infinity', acquired_at timestamptz);
            CREATE TABLE IF NOT EXISTS lookout_watchers (
                owner text PRIMARY KEY, camera_group text NOT NULL, expires_at timestamptz NOT NULL,
                started timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS lookout_events (
                id text PRIMARY KEY, camera text NOT NULL, rule text NOT NULL, bucket bigint NOT NULL,
                time timestamptz NOT NULL, host_time timestamptz NOT NULL, label text NOT NULL, score real NOT NULL,
                top_score real NOT NULL, frame_time double precision NOT NULL, seq bigint NOT NULL, box real[],
                owner text NOT NULL, epoch bigint NOT NULL, snapshot_path text, snapshot bytea,
                UNIQUE (camera, rule, bucket));
            CREATE INDEX IF NOT EXISTS lookout_events_recent ON lookout_events (camera, rule, time DESC);
            """, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }
}

using Npgsql;

namespace Lookout.Scale.Cameras;

/// <summary>A camera lease as granted: the camera and its fencing token.</summary>
public sealed record LeaseGrant(string Camera, long Epoch);

/// <summary>One lease row as the database holds it (for status and tests); <see cref="Live"/> = not expired by the database clock.</summary>
public sealed record LeaseRow(string Camera, string? Owner, long Epoch, DateTimeOffset ExpiresAt, bool Live);

/// <summary>
/// Camera leases in PostgreSQL. Every time comparison uses the database's clock (<c>now()</c>), never a watcher's, so
/// hosts with skewed clocks agree on who holds what. A lease changes owner only through an atomic UPDATE whose WHERE
/// clause admits it (expired, or already mine), and every change of owner increments the epoch: the fencing token.
/// </summary>
public sealed class CameraLeaseStore(NpgsqlDataSource db)
{
    /// <summary>Makes sure every listed camera has a lease row (a new camera starts free, epoch 0).</summary>
    public async Task RegisterAsync(IReadOnlyList<string> cameras, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("INSERT INTO lookout_camera_leases (camera) SELECT unnest(@c) ON CONFLICT DO NOTHING");
        cmd.Parameters.AddWithValue("c", cameras.ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records that <paramref name="owner"/> is alive for <paramref name="ttl"/>; returns how many live watchers share its camera group.</summary>
    public async Task<int> HeartbeatAsync(string owner, string group, TimeSpan ttl, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            WITH me AS (
                INSERT INTO lookout_watchers (owner, camera_group, expires_at) VALUES (@o, @g, now() + @ttl)
                ON CONFLICT (owner) DO UPDATE SET camera_group = excluded.camera_group, expires_at = excluded.expires_at
                RETURNING owner)
            SELECT count(*) + 1 FROM lookout_watchers WHERE camera_group = @g AND expires_at > now() AND owner <> @o
            """);
        cmd.Parameters.AddWithValue("o", owner);
        cmd.Parameters.AddWithValue("g", group);
        cmd.Parameters.AddWithValue("ttl", ttl);
        return (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// One atomic UPDATE that renews the leases <paramref name="owner"/> holds (<paramref name="held"/>: still its own and
    /// not expired; epoch unchanged) and takes up to <paramref name="take"/> free ones among <paramref name="candidates"/>
    /// (expired or released; epoch + 1), in random order so watchers polling together rarely want the same camera, and
    /// skipping rows another watcher is taking right now. Returns every lease it now holds.
    /// </summary>
    public async Task<IReadOnlyList<LeaseGrant>> RenewAndAcquireAsync(string owner, IReadOnlyCollection<string> held, IReadOnlyCollection<string> candidates,
        int take, TimeSpan ttl, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            UPDATE lookout_camera_leases SET
                epoch = CASE WHEN owner = @me AND expires_at > now() THEN epoch ELSE epoch + 1 END,
                acquired_at = CASE WHEN owner = @me AND expires_at > now() THEN acquired_at ELSE now() END,
                owner = @me,
                expires_at = now() + @ttl
            WHERE (camera = ANY(@held) AND owner = @me AND expires_at > now())
               OR (camera IN (SELECT camera FROM lookout_camera_leases WHERE camera = ANY(@free) AND expires_at < now()
                              ORDER BY random() LIMIT @take FOR UPDATE SKIP LOCKED)
                   AND expires_at < now())
            RETURNING camera, epoch
            """);
        cmd.Parameters.AddWithValue("me", owner);
        cmd.Parameters.AddWithValue("held", held.ToArray());
        cmd.Parameters.AddWithValue("free", candidates.ToArray());
        cmd.Parameters.AddWithValue("take", Math.Max(0, take));
        cmd.Parameters.AddWithValue("ttl", ttl);
        var grants = new List<LeaseGrant>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) grants.Add(new LeaseGrant(reader.GetString(0), reader.GetInt64(1)));
        return grants;
    }

    /// <summary>Gives leases back at once (expired, no owner), so another watcher can take them at its next poll.</summary>
    public async Task ReleaseAsync(string owner, IReadOnlyCollection<string> cameras, CancellationToken ct)
    {
        if (cameras.Count == 0) return;
        await using var cmd = db.CreateCommand(
            "UPDATE lookout_camera_leases SET owner = NULL, expires_at = '-infinity' WHERE owner = @me AND camera = ANY(@c)");
        cmd.Parameters.AddWithValue("me", owner);
        cmd.Parameters.AddWithValue("c", cameras.ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Removes a stopping watcher's heartbeat, so the others count it out at once.</summary>
    public async Task LeaveAsync(string owner, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("DELETE FROM lookout_watchers WHERE owner = @me");
        cmd.Parameters.AddWithValue("me", owner);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<LeaseRow>> ListAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT camera, owner, epoch, expires_at, expires_at > now() FROM lookout_camera_leases ORDER BY camera");
        var rows = new List<LeaseRow>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new LeaseRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2),
                reader.GetFieldValue<DateTime>(3) is var t && t == DateTime.MinValue ? DateTimeOffset.MinValue : new DateTimeOffset(t, TimeSpan.Zero), reader.GetBoolean(4)));
        return rows;
    }
}

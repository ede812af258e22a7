using Lookout.Core.Watch.Alerts;
using Npgsql;
using NpgsqlTypes;

namespace Lookout.Scale.Cameras;

/// <summary>A row of the shared events table, with who wrote it under which lease epoch.</summary>
public sealed record SharedEvent(AlertEvent Alert, DateTimeOffset DbTime, long Bucket, string Owner, long Epoch, int SnapshotBytes);

/// <summary>
/// The events of every shared camera in one PostgreSQL table. An alert is admitted by one INSERT that checks, in the
/// same statement: the writer holds the camera's lease with this epoch and it has not expired (the fencing token:
/// a watcher that lost its camera cannot write, even with a write already in flight), no event of this camera and
/// rule lies within the dedupe window, and the unique (camera, rule, bucket) key — the bucket being the database
/// time divided by the window — is free (<c>ON CONFLICT DO NOTHING</c>). Only the watcher whose INSERT returned a
/// row sends the alert. The snapshot JPEG is stored in the row (bytea): it commits atomically with the event and
/// needs no file system shared between hosts.
/// </summary>
public sealed class SharedEventLog(NpgsqlDataSource db)
{
    /// <returns>True when the row was inserted (this watcher must send the alert); false when fenced or a duplicate.</returns>
    public async Task<bool> TryAddAsync(AlertEvent alert, string owner, long epoch, TimeSpan window, byte[]? snapshot, CancellationToken ct)
    {
        if (window < TimeSpan.FromSeconds(1)) window = TimeSpan.FromSeconds(1);
        // FOR SHARE on the lease row: a takeover (an UPDATE of that row) waits for this insert to commit, or this
        // insert waits for the takeover and then sees the new owner and inserts nothing. Either way the new owner's
        // duplicate check sees every event the old owner managed to write.
        await using var cmd = db.CreateCommand("""
            WITH lease AS (
                SELECT camera FROM lookout_camera_leases
                WHERE camera = @camera AND owner = @owner AND epoch = @epoch AND expires_at > now()
                FOR SHARE)
            INSERT INTO lookout_events (id, camera, rule, bucket, time, host_time, label, score, top_score, frame_time, seq, box,
                                        owner, epoch, snapshot_path, snapshot)
            SELECT @id, lease.camera, @rule, floor(extract(epoch FROM now())::double precision / @window_s)::bigint, now(), @host_time, @label, @score,
                   @top, @frame_time, @seq, @box, @owner, @epoch, @path, @snapshot
            FROM lease
            WHERE NOT EXISTS (SELECT 1 FROM lookout_events e WHERE e.camera = @camera AND e.rule = @rule AND e.time > now() - @window)
            ON CONFLICT (camera, rule, bucket) DO NOTHING
            RETURNING id
            """);
        cmd.Parameters.AddWithValue("id", alert.Id);
        cmd.Parameters.AddWithValue("camera", alert.Camera);
        cmd.Parameters.AddWithValue("rule", alert.Rule);
        cmd.Parameters.AddWithValue("owner", owner);
        cmd.Parameters.AddWithValue("epoch", epoch);
        cmd.Parameters.AddWithValue("window_s", window.TotalSeconds);
        cmd.Parameters.AddWithValue("window", window);
        cmd.Parameters.AddWithValue("host_time", alert.Time.UtcDateTime);
        cmd.Parameters.AddWithValue("label", alert.Label);
        cmd.Parameters.AddWithValue("score", alert.Score);
        cmd.Parameters.AddWithValue("top", alert.TopScore);
        cmd.Parameters.AddWithValue("frame_time", alert.FrameTime.TotalSeconds);
        cmd.Parameters.AddWithValue("seq", alert.Seq);
        cmd.Parameters.Add(new NpgsqlParameter("box", NpgsqlDbType.Array | NpgsqlDbType.Real)
        {
            Value = alert.Box is { } b ? new[] { b.X1, b.Y1, b.X2, b.Y2 } : DBNull.Value,
        });
        cmd.Parameters.Add(new NpgsqlParameter("path", NpgsqlDbType.Text) { Value = (object?)alert.SnapshotPath ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("snapshot", NpgsqlDbType.Bytea) { Value = (object?)snapshot ?? DBNull.Value });
        return await cmd.ExecuteScalarAsync(ct) is string;
    }

    /// <summary>Newest first, optionally one camera.</summary>
    public async Task<IReadOnlyList<SharedEvent>> ListAsync(int limit, string? camera, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT id, camera, rule, label, score, top_score, host_time, frame_time, seq, box, snapshot_path, time, bucket, owner, epoch,
                   coalesce(length(snapshot), 0)
            FROM lookout_events WHERE (@camera::text IS NULL OR camera = @camera) ORDER BY time DESC, id LIMIT @limit
            """);
        cmd.Parameters.Add(new NpgsqlParameter("camera", NpgsqlDbType.Text) { Value = (object?)camera ?? DBNull.Value });
        cmd.Parameters.AddWithValue("limit", Math.Max(0, limit));
        var list = new List<SharedEvent>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var box = r.IsDBNull(9) ? null : r.GetFieldValue<float[]>(9) is { Length: 4 } v ? new Core.Imaging.BoxF(v[0], v[1], v[2], v[3]) : (Core.Imaging.BoxF?)null;
            var alert = new AlertEvent(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFloat(4), r.GetFloat(5),
                new DateTimeOffset(r.GetFieldValue<DateTime>(6), TimeSpan.Zero), TimeSpan.FromSeconds(r.GetDouble(7)), r.GetInt64(8), box,
                r.IsDBNull(10) ? null : r.GetString(10));
            list.Add(new SharedEvent(alert, new DateTimeOffset(r.GetFieldValue<DateTime>(11), TimeSpan.Zero), r.GetInt64(12), r.GetString(13),
                r.GetInt64(14), r.GetInt32(15)));
        }
        return list;
    }

    /// <summary>The snapshot JPEG kept with an event, or null.</summary>
    public async Task<byte[]?> SnapshotAsync(string id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT snapshot FROM lookout_events WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync(ct) as byte[];
    }
}

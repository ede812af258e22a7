using Lookout.Core;
using Lookout.Scale.Messages;
using Npgsql;
using NpgsqlTypes;

namespace Lookout.Scale.Store;

/// <summary>
/// Jobs, their items, models and results in PostgreSQL. Results are keyed by (image SHA-256, model id, task) and
/// written with <c>INSERT ... ON CONFLICT DO NOTHING</c>: a batch delivered twice (a worker killed after writing,
/// before its ack) writes nothing the second time, and the same image in two jobs is computed once.
/// The model id is the SHA-256 of the exported ONNX file, so a retrained model is a new id.
/// </summary>
public sealed class JobStore : IAsyncDisposable
{
    private const long SchemaLock = 0x4C6F6F6B6F7574; // "Lookout": serialises concurrent CREATE TABLE IF NOT EXISTS

    private readonly NpgsqlDataSource _db;

    private JobStore(NpgsqlDataSource db) => _db = db;

    public static JobStore Open(string connectionString)
    {
        NpgsqlDataSourceBuilder builder;
        try { builder = new NpgsqlDataSourceBuilder(connectionString); }
        catch (ArgumentException e) { throw new LookoutException($"--db must be a PostgreSQL connection string like \"Host=db;Username=lookout;Password=...;Database=lookout\" ({e.Message})"); }
        return new JobStore(builder.Build());
    }

    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await Exec(conn, "SELECT pg_advisory_xact_lock(@k)", ct, ("k", SchemaLock));
        await Exec(conn, """
            CREATE TABLE IF NOT EXISTS lookout_models (
                model_id text PRIMARY KEY, name text NOT NULL, onnx bytea NOT NULL, created timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS lookout_jobs (
                job_id text PRIMARY KEY, model_id text NOT NULL REFERENCES lookout_models, task text NOT NULL,
                top_k int NOT NULL, total int NOT NULL, created timestamptz NOT NULL DEFAULT clock_timestamp());
            CREATE TABLE IF NOT EXISTS lookout_job_items (
                job_id text NOT NULL REFERENCES lookout_jobs ON DELETE CASCADE, seq int NOT NULL, name text NOT NULL,
                image_sha text NOT NULL, PRIMARY KEY (job_id, seq));
            CREATE TABLE IF NOT EXISTS lookout_results (
                image_sha text NOT NULL, model_id text NOT NULL, task text NOT NULL, label text, score real, is_unknown boolean,
                predictions jsonb, embedding real[], worker text NOT NULL, created timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (image_sha, model_id, task));
            CREATE TABLE IF NOT EXISTS lookout_failures (
                image_sha text NOT NULL, model_id text NOT NULL, task text NOT NULL, reason text NOT NULL, tries int NOT NULL,
                worker text NOT NULL, created timestamptz NOT NULL DEFAULT clock_timestamp(),
                PRIMARY KEY (image_sha, model_id, task));
            ALTER TABLE lookout_job_items ADD COLUMN IF NOT EXISTS queued boolean NOT NULL DEFAULT false;
            """, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Marks items whose batch the broker confirmed (or that needed no batch): a resumed submit skips them.</summary>
    public async Task MarkQueuedAsync(string jobId, IReadOnlyCollection<int> seqs, CancellationToken ct)
    {
        if (seqs.Count == 0) return;
        await using var conn = await _db.OpenConnectionAsync(ct);
        await Exec(conn, "UPDATE lookout_job_items SET queued = true WHERE job_id = @j AND seq = ANY(@s)", ct, ("j", jobId), ("s", seqs.ToArray()));
    }

    /// <summary>A job's recorded items by file name: their position and whether their batch was confirmed.</summary>
    public async Task<Dictionary<string, (int Seq, bool Queued)>> RecordedItemsAsync(string jobId, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT name, seq, queued FROM lookout_job_items WHERE job_id = @j", conn);
        cmd.Parameters.AddWithValue("j", jobId);
        var items = new Dictionary<string, (int, bool)>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) items[reader.GetString(0)] = (reader.GetInt32(1), reader.GetBoolean(2));
        return items;
    }

    /// <summary>Stores an exported model once (keyed by its hash) so workers on any host can fetch it.</summary>
    public async Task PutModelAsync(string modelId, string name, byte[] onnx, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await Exec(conn, "INSERT INTO lookout_models (model_id, name, onnx) VALUES (@id, @name, @onnx) ON CONFLICT DO NOTHING", ct,
            ("id", modelId), ("name", name), ("onnx", onnx));
    }

    public async Task<byte[]?> GetModelAsync(string modelId, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT onnx FROM lookout_models WHERE model_id = @id", conn);
        cmd.Parameters.AddWithValue("id", modelId);
        return await cmd.ExecuteScalarAsync(ct) as byte[];
    }

    /// <summary>Records a job; its items follow batch by batch (<see cref="AddItemsAsync"/>) as the submitter reads them.</summary>
    public async Task CreateJobAsync(JobInfo job, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await Exec(conn, "INSERT INTO lookout_jobs (job_id, model_id, task, top_k, total) VALUES (@j, @m, @t, @k, @n)", ct,
            ("j", job.JobId), ("m", job.ModelId), ("t", job.Task.Name()), ("k", job.Top), ("n", job.Total));
    }

    /// <summary>Adds items to a job with binary COPY (a million names in seconds).</summary>
    public async Task AddItemsAsync(string jobId, IReadOnlyList<JobItem> items, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var copy = await conn.BeginBinaryImportAsync("COPY lookout_job_items (job_id, seq, name, image_sha) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var item in items)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(jobId, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(item.Seq, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(item.Name, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(item.Sha256, NpgsqlDbType.Text, ct);
        }
        await copy.CompleteAsync(ct);
    }

    /// <summary>Corrects a job's image count once the submitter knows how many files it could read.</summary>
    public async Task SetTotalAsync(string jobId, int total, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await Exec(conn, "UPDATE lookout_jobs SET total = @n WHERE job_id = @j", ct, ("n", total), ("j", jobId));
    }

    /// <summary>The hashes among <paramref name="shas"/> that already have an answer or a final failure for this model and task.</summary>
    public async Task<HashSet<string>> AlreadyDoneAsync(string modelId, JobTask task, IReadOnlyCollection<string> shas, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT image_sha FROM lookout_results WHERE model_id = @m AND task = @t AND image_sha = ANY(@s)
            UNION SELECT image_sha FROM lookout_failures WHERE model_id = @m AND task = @t AND image_sha = ANY(@s)
            """, conn);
        cmd.Parameters.AddWithValue("m", modelId);
        cmd.Parameters.AddWithValue("t", task.Name());
        cmd.Parameters.AddWithValue("s", shas.ToArray());
        var done = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) done.Add(reader.GetString(0));
        return done;
    }

    /// <summary>Writes a batch's answers and final failures in one transaction; rows that exist already are left alone.</summary>
    /// <returns>How many rows were new (less than the batch on a redelivery).</returns>
    public async Task<int> WriteAsync(string modelId, JobTask task, string worker, IReadOnlyList<ImageResult> results,
        IReadOnlyList<ImageFailure> failures, CancellationToken ct)
    {
        if (results.Count == 0 && failures.Count == 0) return 0;
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var r in results)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO lookout_results (image_sha, model_id, task, label, score, is_unknown, predictions, embedding, worker)
                VALUES (@s, @m, @t, @l, @sc, @u, @p::jsonb, @e, @w) ON CONFLICT DO NOTHING
                """);
            cmd.Parameters.AddWithValue("s", r.Sha256);
            cmd.Parameters.AddWithValue("m", modelId);
            cmd.Parameters.AddWithValue("t", task.Name());
            cmd.Parameters.Add(new NpgsqlParameter("l", NpgsqlDbType.Text) { Value = (object?)r.Label ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("sc", NpgsqlDbType.Real) { Value = (object?)r.Score ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("u", NpgsqlDbType.Boolean) { Value = (object?)r.Unknown ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("p", NpgsqlDbType.Text) { Value = (object?)r.PredictionsJson ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("e", NpgsqlDbType.Array | NpgsqlDbType.Real) { Value = (object?)r.Embedding ?? DBNull.Value });
            cmd.Parameters.AddWithValue("w", worker);
            batch.BatchCommands.Add(cmd);
        }
        foreach (var f in failures)
        {
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO lookout_failures (image_sha, model_id, task, reason, tries, worker)
                VALUES (@s, @m, @t, @r, @n, @w) ON CONFLICT DO NOTHING
                """);
            cmd.Parameters.AddWithValue("s", f.Sha256);
            cmd.Parameters.AddWithValue("m", modelId);
            cmd.Parameters.AddWithValue("t", task.Name());
            cmd.Parameters.AddWithValue("r", f.Reason);
            cmd.Parameters.AddWithValue("n", f.Tries);
            cmd.Parameters.AddWithValue("w", worker);
            batch.BatchCommands.Add(cmd);
        }
        await batch.ExecuteNonQueryAsync(ct);
        int inserted = 0;
        foreach (var c in batch.BatchCommands) inserted += (int)c.RecordsAffected;
        await tx.CommitAsync(ct);
        return inserted;
    }

    public async Task<JobInfo> GetJobAsync(string jobId, CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT j.job_id, j.model_id, m.name, j.task, j.top_k, j.total, j.created
            FROM lookout_jobs j JOIN lookout_models m USING (model_id) WHERE j.job_id = @j
            """, conn);
        cmd.Parameters.AddWithValue("j", jobId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) throw new LookoutException($"no job '{jobId}' in this database");
        return new JobInfo(reader.GetString(0), reader.GetString(1), reader.GetString(2), JobTasks.Parse(reader.GetString(3)),
            reader.GetInt32(4), reader.GetInt32(5), reader.GetFieldValue<DateTimeOffset>(6));
    }

    public async Task<JobProgress> ProgressAsync(string jobId, CancellationToken ct)
    {
        var job = await GetJobAsync(jobId, ct);
        await using var conn = await _db.OpenConnectionAsync(ct);
        // Results written since the job was created give the pace; older ones (the same images answered before) do not.
        await using var cmd = new NpgsqlCommand("""
            SELECT count(r.image_sha), count(f.image_sha) FILTER (WHERE r.image_sha IS NULL),
                   count(r.image_sha) FILTER (WHERE r.created >= @c), min(r.created) FILTER (WHERE r.created >= @c), max(r.created)
            FROM lookout_job_items i
            LEFT JOIN lookout_results r ON r.image_sha = i.image_sha AND r.model_id = @m AND r.task = @t
            LEFT JOIN lookout_failures f ON f.image_sha = i.image_sha AND f.model_id = @m AND f.task = @t
            WHERE i.job_id = @j
            """, conn);
        cmd.Parameters.AddWithValue("j", jobId);
        cmd.Parameters.AddWithValue("m", job.ModelId);
        cmd.Parameters.AddWithValue("t", job.Task.Name());
        cmd.Parameters.AddWithValue("c", job.Created);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        int done = (int)reader.GetInt64(0), failed = (int)reader.GetInt64(1), fresh = (int)reader.GetInt64(2);
        double? rate = null;
        if (fresh >= 2 && !reader.IsDBNull(3))
        {
            var span = reader.GetFieldValue<DateTimeOffset>(4) - reader.GetFieldValue<DateTimeOffset>(3);
            if (span.TotalSeconds > 0.5) rate = (fresh - 1) / span.TotalSeconds;
        }
        return new JobProgress(job, done, failed, rate);
    }

    /// <summary>Every item of a job in submission order, with its answer or failure (both null while pending).</summary>
    public async IAsyncEnumerable<JobResultRow> ResultsAsync(JobInfo job, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT i.seq, i.name, i.image_sha, r.label, r.score, r.is_unknown, r.predictions::text, r.embedding, f.reason, coalesce(r.worker, f.worker)
            FROM lookout_job_items i
            LEFT JOIN lookout_results r ON r.image_sha = i.image_sha AND r.model_id = @m AND r.task = @t
            LEFT JOIN lookout_failures f ON f.image_sha = i.image_sha AND f.model_id = @m AND f.task = @t AND r.image_sha IS NULL
            WHERE i.job_id = @j ORDER BY i.seq
            """, conn);
        cmd.Parameters.AddWithValue("j", job.JobId);
        cmd.Parameters.AddWithValue("m", job.ModelId);
        cmd.Parameters.AddWithValue("t", job.Task.Name());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            yield return new JobResultRow(reader.GetInt32(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetFloat(4),
                reader.IsDBNull(5) ? null : reader.GetBoolean(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<float[]>(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9));
    }

    private static async Task Exec(NpgsqlConnection conn, string sql, CancellationToken ct, params (string Name, object Value)[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();
}

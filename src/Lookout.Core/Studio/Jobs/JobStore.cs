using System.Globalization;
using Lookout.Core.IO;
using Microsoft.Data.Sqlite;

namespace Lookout.Core.Studio.Jobs;

/// <summary>
/// A project's training jobs and their events in <c>jobs.db</c> in its workspace (its own file: progress events are
/// written many times a second and must never wait behind a catalog transaction). What was Running when the process
/// died is still Running here, which is how a restarted server knows to resume it.
/// </summary>
public sealed class JobStore
{
    private readonly string _path;

    public JobStore(StudioProject project)
    {
        _path = Path.Combine(project.Workspace.Root, "jobs.db");
        using var db = SqliteFile.Open(_path);
        db.Execute("""
            CREATE TABLE IF NOT EXISTS jobs(
                id INTEGER PRIMARY KEY, mode TEXT NOT NULL, state TEXT NOT NULL, run TEXT, created TEXT NOT NULL,
                started TEXT, finished TEXT, error TEXT, attempts INTEGER NOT NULL DEFAULT 0, epochs INTEGER);
            CREATE TABLE IF NOT EXISTS job_events(
                seq INTEGER PRIMARY KEY, job INTEGER NOT NULL, time TEXT NOT NULL, kind TEXT NOT NULL, json TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS job_events_job ON job_events(job, seq);
            """);
    }

    public TrainJob Enqueue(JobMode mode, int? epochs = null)
    {
        using var db = Open();
        using var cmd = db.Command("INSERT INTO jobs(mode,state,created,epochs) VALUES($m,$s,$c,$e) RETURNING id",
            ("$m", mode.ToString()), ("$s", JobState.Queued.ToString()), ("$c", Now()), ("$e", epochs));
        return Get((long)cmd.ExecuteScalar()!)!;
    }

    public TrainJob? Get(long id) => Query("WHERE id=$i", ("$i", id)).FirstOrDefault();

    /// <summary>Newest first.</summary>
    public IReadOnlyList<TrainJob> List(int limit = 50) => Query("ORDER BY id DESC LIMIT $l", ("$l", limit));

    /// <summary>Jobs to (re)start, oldest first: those a stopped process left Running, then the queued ones.</summary>
    public IReadOnlyList<TrainJob> Unfinished() =>
        Query("WHERE state IN ('Running','Queued') ORDER BY CASE state WHEN 'Running' THEN 0 ELSE 1 END, id");

    /// <summary>Marks a queued (or interrupted) job running; false when it was cancelled or ended meanwhile.</summary>
    public bool Start(long id)
    {
        using var db = Open();
        return db.Execute("UPDATE jobs SET state='Running', started=COALESCE(started,$t), attempts=attempts+1 WHERE id=$i AND state IN ('Queued','Running')",
            ("$t", Now()), ("$i", id)) == 1;
    }

    public void SetRun(long id, string run) => Exec("UPDATE jobs SET run=$r WHERE id=$i", ("$r", run), ("$i", id));

    public void Finish(long id, JobState state, string? error = null) =>
        Exec("UPDATE jobs SET state=$s, finished=$t, error=$e WHERE id=$i", ("$s", state.ToString()), ("$t", Now()), ("$e", error), ("$i", id));

    /// <summary>Cancels a job that has not started; false when it already runs or ended.</summary>
    public bool CancelQueued(long id)
    {
        using var db = Open();
        return db.Execute("UPDATE jobs SET state='Cancelled', finished=$t WHERE id=$i AND state='Queued'", ("$t", Now()), ("$i", id)) == 1;
    }

    public JobEvent AddEvent(long job, string kind, string json)
    {
        var time = DateTimeOffset.UtcNow;
        using var db = Open();
        using var cmd = db.Command("INSERT INTO job_events(job,time,kind,json) VALUES($j,$t,$k,$x) RETURNING seq",
            ("$j", job), ("$t", time.ToString("O", CultureInfo.InvariantCulture)), ("$k", kind), ("$x", json));
        return new JobEvent((long)cmd.ExecuteScalar()!, job, time, kind, json);
    }

    /// <summary>Events of a job after <paramref name="after"/> (0 for all), in order.</summary>
    public IReadOnlyList<JobEvent> Events(long job, long after = 0, int limit = 5000)
    {
        using var db = Open();
        using var cmd = db.Command("SELECT seq, job, time, kind, json FROM job_events WHERE job=$j AND seq>$a ORDER BY seq LIMIT $l", ("$j", job), ("$a", after), ("$l", limit));
        using var r = cmd.ExecuteReader();
        var list = new List<JobEvent>();
        while (r.Read()) list.Add(new JobEvent(r.GetInt64(0), r.GetInt64(1), DateTimeOffset.Parse(r.GetString(2), CultureInfo.InvariantCulture), r.GetString(3), r.GetString(4)));
        return list;
    }

    private IReadOnlyList<TrainJob> Query(string where, params (string, object?)[] args)
    {
        using var db = Open();
        using var cmd = db.Command($"SELECT id, mode, state, run, created, started, finished, error, attempts, epochs FROM jobs {where}", args);
        using var r = cmd.ExecuteReader();
        var list = new List<TrainJob>();
        while (r.Read())
            list.Add(new TrainJob(r.GetInt64(0), Enum.Parse<JobMode>(r.GetString(1)), Enum.Parse<JobState>(r.GetString(2)), r.IsDBNull(3) ? null : r.GetString(3),
                Time(r, 4)!.Value, Time(r, 5), Time(r, 6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt32(8), r.IsDBNull(9) ? null : r.GetInt32(9)));
        return list;
    }

    private static DateTimeOffset? Time(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture);

    private void Exec(string sql, params (string, object?)[] args)
    {
        using var db = Open();
        db.Execute(sql, args);
    }

    private SqliteConnection Open() => SqliteFile.Open(_path);

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}

using System.Security.Cryptography;
using System.Text;
using Lookout.Core.Watch.Sharing;
using Npgsql;

namespace Lookout.Scale.Cameras;

/// <summary>
/// Holds camera leases in PostgreSQL for one watcher. Every <see cref="LeaseOptions.Poll"/> (a third of the TTL) it
/// heartbeats, then in one UPDATE renews what it holds and takes free cameras up to its fair share, ceil(cameras /
/// live watchers sharing the same list); above its share (a watcher joined) it stops and releases the excess, so no
/// watcher keeps more than its share while another has none. A camera is stopped at once when its lease is not
/// renewed (another watcher owns it, or it expired) or when a renewal fails (database unreachable): a watcher runs a
/// camera only while the database has just confirmed its lease. A camera is released (or taken again) only after its
/// pipeline has stopped. On a clean stop every lease is released, so others take over at their next poll; after a
/// kill, within TTL + one poll.
/// </summary>
public sealed class PostgresCameraLeases(CameraLeaseStore store, LeaseOptions options, Action<string> note) : ICameraLeases
{
    private sealed record Held(CameraLease Lease, CancellationTokenSource Lost, DateTime Acquired)
    {
        public Task Stopped { get; set; } = Task.CompletedTask;
    }

    private readonly Dictionary<string, Held> _held = new(StringComparer.Ordinal);
    /// <summary>Cameras whose pipelines were told to stop and may still be running; never taken again before they have stopped.</summary>
    private readonly Dictionary<string, Task> _stopping = new(StringComparer.Ordinal);
    /// <summary>Cameras stopped here whose lease may still name this watcher: released (at the next poll) once stopped.</summary>
    private readonly HashSet<string> _toRelease = new(StringComparer.Ordinal);

    public async Task RunAsync(IReadOnlyList<string> cameras, Func<CameraLease, Task> onAcquired, CancellationToken ct)
    {
        options.Validate();
        var group = Group(cameras);
        var backoff = new Backoff(cap: options.Poll);
        bool registered = false, failing = false;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var wait = options.Poll;
                try
                {
                    if (!registered) { await store.RegisterAsync(cameras, ct); registered = true; }
                    await PollAsync(cameras, group, onAcquired, ct);
                    if (failing) note("database answers again");
                    failing = false;
                    backoff.Reset();
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
                {
                    if (!failing || _held.Count > 0)
                        note($"renewal failed ({e.Message}); stopping {_held.Count} camera(s) until the database answers");
                    failing = true;
                    foreach (var camera in _held.Keys.ToList()) Lose(camera);
                    wait = backoff.Next();
                }
                await Task.Delay(wait, ct);
            }
        }
        catch (Exception) when (ct.IsCancellationRequested) { /* stopping: a call cut short by the cancellation */ }
        finally
        {
            await LeaveAsync();
        }
    }

    private async Task PollAsync(IReadOnlyList<string> cameras, string group, Func<CameraLease, Task> onAcquired, CancellationToken ct)
    {
        int watchers = await store.HeartbeatAsync(options.Owner, group, options.Ttl, ct);
        foreach (var (camera, task) in _stopping.ToList())
            if (task.IsCompleted) _stopping.Remove(camera);
        var stopped = _toRelease.Where(c => !_stopping.ContainsKey(c)).ToList();
        if (stopped.Count > 0)
        {
            await store.ReleaseAsync(options.Owner, stopped, ct);
            _toRelease.ExceptWith(stopped);
        }

        int share = (cameras.Count + watchers - 1) / watchers;
        var candidates = cameras.Where(c => !_held.ContainsKey(c) && !_stopping.ContainsKey(c)).ToList();
        int take = Math.Max(0, share - _held.Count);
        var grants = await store.RenewAndAcquireAsync(options.Owner, _held.Keys.ToList(), take > 0 ? candidates : [], take, options.Ttl, ct);

        var granted = grants.Select(g => g.Camera).ToHashSet(StringComparer.Ordinal);
        foreach (var camera in _held.Keys.Where(c => !granted.Contains(c)).ToList())
        {
            note($"lease of {camera} was not renewed (expired or taken); stopping it");
            Lose(camera, release: false);
        }
        foreach (var grant in grants.Where(g => !_held.ContainsKey(g.Camera)))
        {
            var lost = new CancellationTokenSource();
            var held = new Held(new CameraLease(grant.Camera, grant.Epoch, lost.Token), lost, DateTime.UtcNow);
            _held[grant.Camera] = held;
            held.Stopped = onAcquired(held.Lease);
        }

        if (_held.Count > share)
        {
            // A watcher joined: hand the newest cameras over. Stop them here first, then release them in the database.
            var excess = _held.Values.OrderByDescending(h => h.Acquired).Take(_held.Count - share).Select(h => h.Lease.Camera).ToList();
            note($"{watchers} watchers share {cameras.Count} cameras (at most {share} each): handing over {string.Join(", ", excess)}");
            // Never wait here: the other leases must be renewed on time. The next poll releases what has stopped by then.
            foreach (var camera in excess) Lose(camera);
        }
    }

    /// <summary>Stops a camera here at once; <paramref name="release"/>: its lease may still name us, give it back once stopped.</summary>
    private void Lose(string camera, bool release = true)
    {
        if (!_held.Remove(camera, out var held)) return;
        held.Lost.Cancel();
        _stopping[camera] = held.Stopped;
        if (release) _toRelease.Add(camera);
    }

    /// <summary>Clean stop: pipelines end (the watcher cancelled them), then every lease and the heartbeat go, so others take over at once.</summary>
    private async Task LeaveAsync()
    {
        var mine = _held.Keys.Concat(_toRelease).Distinct().ToList();
        foreach (var camera in _held.Keys.ToList()) Lose(camera);
        await Task.WhenAny(Task.WhenAll(_stopping.Values), Task.Delay(TimeSpan.FromSeconds(10)));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await store.ReleaseAsync(options.Owner, mine, timeout.Token);
            await store.LeaveAsync(options.Owner, timeout.Token);
            if (mine.Count > 0) note($"released {string.Join(", ", mine)}");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            note($"could not release leases ({e.Message}); they expire within {options.Ttl.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Watchers with the same camera list form a group; fair shares are counted within it.</summary>
    public static string Group(IReadOnlyList<string> cameras) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', cameras.Order(StringComparer.Ordinal)))))[..16];
}

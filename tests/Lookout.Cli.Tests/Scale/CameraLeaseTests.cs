using Lookout.Core.Watch.Alerts;
using Lookout.Core.Watch.Sharing;
using Lookout.Scale.Cameras;
using Npgsql;

namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// Camera leases and the shared events table against a REAL PostgreSQL the test starts on loopback: acquire, renew,
/// expiry by the database clock, a steal after the TTL with a new fencing epoch, the stale owner's event write
/// refused, duplicates refused, and the fair share between watchers running the lease loop.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection("scale-out")]
public sealed class CameraLeaseTests : IClassFixture<CameraLeaseTests.Server>, IDisposable
{
    /// <summary>One PostgreSQL for the class (starting one takes seconds); each test gets its own fresh database in it.</summary>
    public sealed class Server : IDisposable
    {
        private readonly string _root;

        public Server()
        {
            _root = Directory.CreateTempSubdirectory("lookout-leases-").FullName;
            File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
            Assert.True(PostgresServer.Installed, "postgresql-15 is installed by scripts/setup.sh --tests");
            Pg = new PostgresServer(Path.Combine(_root, "pg"));
            Pg.Start();
        }

        public PostgresServer Pg { get; }

        public string NewDatabase()
        {
            var name = $"leases_{Guid.NewGuid():N}";
            using (var conn = new NpgsqlConnection(Pg.ConnectionString + ";Pooling=false"))
            {
                conn.Open();
                using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
                cmd.ExecuteNonQuery();
            }
            return Pg.ConnectionString.Replace("Database=postgres", $"Database={name}", StringComparison.Ordinal);
        }

        public void Dispose()
        {
            Pg.Dispose();
            try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static readonly string[] Cameras = ["cam1", "cam2", "cam3", "cam4"];
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private readonly NpgsqlDataSource _db;
    private readonly CameraLeaseStore _leases;
    private readonly SharedEventLog _events;

    public CameraLeaseTests(Server server)
    {
        _db = CameraSchema.Open(server.NewDatabase());
        CameraSchema.EnsureAsync(_db, default).GetAwaiter().GetResult();
        _leases = new CameraLeaseStore(_db);
        _events = new SharedEventLog(_db);
        _leases.RegisterAsync(Cameras, default).GetAwaiter().GetResult();
    }

    private Task<IReadOnlyList<LeaseGrant>> Acquire(string owner, int take, TimeSpan ttl, params string[] held) =>
        _leases.RenewAndAcquireAsync(owner, held, Cameras.Except(held).ToList(), take, ttl, default);

    private static AlertEvent Alert(string camera, string rule = "person") =>
        new(Guid.NewGuid().ToString("N"), camera, rule, "person", 0.9f, 0.9f, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1), 1, null, null);

    [Fact]
    public async Task Acquire_TakesOnlyFreeCameras_UpToTheAskedNumber_AndRenewKeepsTheEpoch()
    {
        var a = await Acquire("A", 2, Long);
        Assert.Equal(2, a.Count);
        Assert.All(a, g => Assert.Equal(1, g.Epoch));
        var b = await Acquire("B", 4, Long);
        Assert.Equal(2, b.Count); // only the two A does not hold
        Assert.Empty(b.Select(g => g.Camera).Intersect(a.Select(g => g.Camera)));

        var before = (await _leases.ListAsync(default)).ToDictionary(r => r.Camera);
        await Task.Delay(50);
        var renewed = await _leases.RenewAndAcquireAsync("A", a.Select(g => g.Camera).ToList(), [], 0, Long, default);
        Assert.Equal(a.OrderBy(g => g.Camera), renewed.OrderBy(g => g.Camera)); // same cameras, same epochs
        var after = (await _leases.ListAsync(default)).ToDictionary(r => r.Camera);
        foreach (var g in a) Assert.True(after[g.Camera].ExpiresAt > before[g.Camera].ExpiresAt);
        Assert.All(after.Values, r => Assert.True(r.Live));

        // Nothing is free: a third watcher gets nothing, and B cannot "renew" A's cameras.
        Assert.Empty(await Acquire("C", 4, Long));
        Assert.Empty(await _leases.RenewAndAcquireAsync("B", a.Select(g => g.Camera).ToList(), [], 0, Long, default));
    }

    [Fact]
    public async Task ExpiredLease_IsTakenWithANewEpoch_AndTheStaleOwnersEventWriteIsRefused()
    {
        var a = Assert.Single(await _leases.RenewAndAcquireAsync("A", [], ["cam1"], 1, TimeSpan.FromSeconds(1), default));
        Assert.Empty(await _leases.RenewAndAcquireAsync("B", [], ["cam1"], 1, Long, default)); // not expired yet
        Assert.True(await _events.TryAddAsync(Alert("cam1", "early"), "A", a.Epoch, TimeSpan.FromSeconds(1), null, default));

        await Task.Delay(TimeSpan.FromSeconds(1.3)); // the database clock passes A's expiry
        Assert.False((await _leases.ListAsync(default)).Single(r => r.Camera == "cam1").Live);
        var b = Assert.Single(await _leases.RenewAndAcquireAsync("B", [], ["cam1"], 1, Long, default));
        Assert.Equal(a.Epoch + 1, b.Epoch);

        // A wakes up (a long pause): its renewal finds nothing and its event write is fenced off.
        Assert.Empty(await _leases.RenewAndAcquireAsync("A", ["cam1"], [], 0, TimeSpan.FromSeconds(1), default));
        Assert.False(await _events.TryAddAsync(Alert("cam1"), "A", a.Epoch, TimeSpan.FromSeconds(1), null, default));
        // Even naming the new epoch does not help a writer that is not the owner.
        Assert.False(await _events.TryAddAsync(Alert("cam1"), "A", b.Epoch, TimeSpan.FromSeconds(1), null, default));
        Assert.True(await _events.TryAddAsync(Alert("cam1"), "B", b.Epoch, TimeSpan.FromSeconds(1), [0xFF, 0xD8, 0xFF], default));

        var rows = await _events.ListAsync(10, "cam1", default);
        Assert.Equal(2, rows.Count);
        var newest = rows[0];
        Assert.Equal(("B", b.Epoch, 3), (newest.Owner, newest.Epoch, newest.SnapshotBytes));
        Assert.Equal([0xFF, 0xD8, 0xFF], await _events.SnapshotAsync(newest.Alert.Id, default));
    }

    [Fact]
    public async Task SameAlertWithinTheWindow_IsStoredOnce_EvenFromTwoWritesAtOnce()
    {
        var lease = Assert.Single(await _leases.RenewAndAcquireAsync("A", [], ["cam2"], 1, Long, default));
        var window = TimeSpan.FromSeconds(30);
        var writes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _events.TryAddAsync(Alert("cam2"), "A", lease.Epoch, window, null, default)));
        Assert.Single(writes, w => w);
        Assert.False(await _events.TryAddAsync(Alert("cam2"), "A", lease.Epoch, window, null, default));
        Assert.True(await _events.TryAddAsync(Alert("cam2", "car"), "A", lease.Epoch, window, null, default)); // another rule is another alert
        Assert.Equal(2, (await _events.ListAsync(10, "cam2", default)).Count);
    }

    [Fact]
    public async Task AlertJustAcrossABucketEdge_IsStillADuplicate_WithinTheWindow()
    {
        // The unique key's bucket alone would let a repeat through right after a bucket boundary; the window check must not.
        var lease = Assert.Single(await _leases.RenewAndAcquireAsync("A", [], ["cam3"], 1, Long, default));
        var window = TimeSpan.FromSeconds(2);
        await using (var cmd = _db.CreateCommand("SELECT pg_sleep(2 - mod(extract(epoch FROM clock_timestamp())::numeric, 2) - 0.3)"))
            await cmd.ExecuteNonQueryAsync(); // 0.3 s before the database clock enters the next 2 s bucket
        Assert.True(await _events.TryAddAsync(Alert("cam3"), "A", lease.Epoch, window, null, default));
        await Task.Delay(600);
        Assert.False(await _events.TryAddAsync(Alert("cam3"), "A", lease.Epoch, window, null, default));
        var rows = await _events.ListAsync(10, "cam3", default);
        Assert.Single(rows);
    }

    [Fact]
    public async Task Released_IsFreeAtOnce_AndHeartbeatsCountTheWatchersOfOneList()
    {
        var a = await Acquire("A", 4, Long);
        Assert.Equal(4, a.Count);
        await _leases.ReleaseAsync("A", ["cam3", "cam4"], default);
        var b = await Acquire("B", 4, Long);
        Assert.Equal(["cam3", "cam4"], b.Select(g => g.Camera).Order());
        Assert.All(b, g => Assert.Equal(2, g.Epoch));

        Assert.Equal(1, await _leases.HeartbeatAsync("A", "g1", Long, default));
        Assert.Equal(2, await _leases.HeartbeatAsync("B", "g1", Long, default));
        Assert.Equal(1, await _leases.HeartbeatAsync("C", "g2", Long, default)); // another camera list: another group
        Assert.Equal(2, await _leases.HeartbeatAsync("A", "g1", Long, default)); // a heartbeat again is still one watcher
        await _leases.LeaveAsync("B", default);
        Assert.Equal(1, await _leases.HeartbeatAsync("A", "g1", Long, default));
    }

    [Fact]
    public async Task LeaseLoops_ShareFairly_HandOverWhenOneJoins_AndTakeOverWhenOneStops()
    {
        var cameras = Enumerable.Range(1, 6).Select(i => $"loop{i}").ToList();
        var running = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(); // camera -> owner running it
        var overlaps = new System.Collections.Concurrent.ConcurrentBag<string>();
        var ttl = TimeSpan.FromSeconds(1.5);

        (Task Loop, CancellationTokenSource Stop) Start(string owner)
        {
            var stop = new CancellationTokenSource();
            var leases = new PostgresCameraLeases(_leases, new LeaseOptions { Owner = owner, Ttl = ttl }, _ => { });
            var loop = leases.RunAsync(cameras, async lease =>
            {
                if (!running.TryAdd(lease.Camera, owner)) overlaps.Add($"{lease.Camera}: {owner} while {running[lease.Camera]}");
                try { await Task.Delay(Timeout.Infinite, lease.Lost); } catch (OperationCanceledException) { }
                running.TryRemove(new KeyValuePair<string, string>(lease.Camera, owner));
            }, stop.Token);
            return (loop, stop);
        }

        int Count(string owner) => running.Values.Count(o => o == owner);
        async Task WaitFor(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, $"{what}: {string.Join(", ", running.Select(kv => $"{kv.Key}={kv.Value}"))}");
                await Task.Delay(50);
            }
        }

        var first = Start("W1");
        await WaitFor(() => Count("W1") == 6, "one watcher takes all six");
        var second = Start("W2");
        var third = Start("W3");
        await WaitFor(() => Count("W1") == 2 && Count("W2") == 2 && Count("W3") == 2, "three watchers share 2/2/2");

        await third.Stop.CancelAsync(); // a clean stop releases at once
        await third.Loop;
        await WaitFor(() => Count("W1") == 3 && Count("W2") == 3, "two watchers share 3/3");
        Assert.Empty(overlaps);

        await first.Stop.CancelAsync();
        await second.Stop.CancelAsync();
        await Task.WhenAll(first.Loop, second.Loop);
        Assert.Empty(running);
        Assert.All(await _leases.ListAsync(default), r => Assert.False(r.Live));
    }

    public void Dispose() => _db.Dispose();
}

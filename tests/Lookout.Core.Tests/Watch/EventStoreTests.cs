using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch.Alerts;
using Lookout.Core.Watch.Events;
using Microsoft.Data.Sqlite;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Watch;

public class EventStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-events").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AlertEvent E(string id, string camera, DateTimeOffset t, BoxF? box = null) =>
        new(id, camera, "r", "person", 0.8f, 0.9f, t, TimeSpan.FromSeconds(1.5), 15, box, box is null ? null : "/x/s.jpg");

    [Fact]
    public void AddAndList_NewestFirst_FilteredAndPersistent()
    {
        var t0 = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        using (var store = EventStore.Open(_dir))
        {
            store.Add(E("a", "porch", t0));
            store.Add(E("b", "yard", t0.AddMinutes(1), new BoxF(0.1f, 0.2f, 0.3f, 0.4f)));
            store.Add(E("c", "porch", t0.AddMinutes(2)));
            Assert.Throws<SqliteException>(() => store.Add(E("a", "porch", t0)));     // ids are unique
        }
        var all = EventStore.List(_dir);
        Assert.Equal(["c", "b", "a"], all.Select(e => e.Id));
        Assert.Equal(E("b", "yard", t0.AddMinutes(1), new BoxF(0.1f, 0.2f, 0.3f, 0.4f)), all[1]);
        Assert.Equal(["c", "a"], EventStore.List(_dir, camera: "porch").Select(e => e.Id));
        Assert.Equal(["c", "b"], EventStore.List(_dir, since: t0.AddSeconds(30)).Select(e => e.Id));
        Assert.Equal(["c"], EventStore.List(_dir, limit: 1).Select(e => e.Id));
    }

    [Fact]
    public void SharesTheCatalogFile_InWalMode_AndAnAbsentCatalogHasNoEvents()
    {
        Assert.Empty(EventStore.List(Path.Combine(_dir, "none")));
        using (var conn = new SqliteConnection($"Data Source={Path.Combine(_dir, "catalog.db")};Pooling=False"))
        {
            conn.Open();
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "CREATE TABLE items (id INTEGER PRIMARY KEY); INSERT INTO items VALUES (7);";
            cmd.ExecuteNonQuery();
        }
        using var store = EventStore.Open(_dir);
        store.Add(E("a", "porch", DateTimeOffset.UtcNow));
        using var check = new SqliteConnection($"Data Source={store.Path};Pooling=False");
        check.Open();
        using var q = check.CreateCommand();
        q.CommandText = "PRAGMA journal_mode; SELECT count(*) FROM items;";
        using var r = q.ExecuteReader();
        r.Read();
        Assert.Equal("wal", r.GetString(0));
        r.NextResult();
        r.Read();
        Assert.Equal(1, r.GetInt32(0));                // the other tables are left alone
    }
}

public class SnapshotWriterTests
{
    [Fact]
    public void WritesAnnotatedJpeg_AndCleansOnlyLeftoverTempFiles()
    {
        var ws = Directory.CreateTempSubdirectory("lookout-snap").FullName;
        try
        {
            var writer = new Lookout.Core.Watch.Alerts.Actions.SnapshotWriter(new Lookout.Core.Watch.Rules.SnapshotActionConfig("events"), ws);
            var alert = new AlertEvent("0123456789abcdef", "front door", "r/1", "person", 0.9f, 0.9f,
                new DateTimeOffset(2026, 11, 23, 10, 1, 2, 345, TimeSpan.Zero), TimeSpan.FromSeconds(1), 10, new BoxF(0.1f, 0.1f, 0.5f, 0.9f), null);
            var path = writer.Write(alert, Lookout.Core.Tests.Video.Scenes.Frame(160, 120), FrameAnalysis.Empty);
            Assert.Equal(Path.Combine(ws, "events", "20261123-100102-345_front-door_r-1_01234567.jpg"), path);
            Assert.Equal([0xFF, 0xD8], File.ReadAllBytes(path)[..2]);

            File.WriteAllBytes(Path.Combine(writer.Directory, ".x.jpg.0a1b.tmp"), [1, 2]);   // what a kill mid-write leaves
            Assert.Equal(1, writer.RemoveLeftovers());
            Assert.Equal([path], Directory.GetFiles(writer.Directory));
        }
        finally { Directory.Delete(ws, true); }
    }
}

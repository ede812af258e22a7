using System.Runtime.CompilerServices;
using Lookout.Core.IO;
using Lookout.Core.Tests.Video;
using Lookout.Core.Tests.Watch;
using Lookout.Core.Video;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Alerts;
using Lookout.Core.Watch.Events;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Watch.Sources;
using Lookout.Tests.Shared;

namespace Lookout.Core.Tests.IO;

/// <summary>A full disk on a real (small) filesystem: a clear error naming the file, and nothing saved before is lost.</summary>
public class DiskFullTests
{
    [SmallDiskFact]
    public void AtomicWrite_OnAFullDisk_KeepsTheOldFile_LeavesNoTemp_AndNamesTheFile()
    {
        using var disk = new SmallDisk(1024 * 1024);
        var path = Path.Combine(disk.Path, "runs", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var old = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        AtomicFile.WriteAllBytes(path, old);

        var e = Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllBytes(path, new byte[2 * 1024 * 1024]));

        Assert.True(DiskFull.Is(e), e.ToString());
        var explained = DiskFull.Explain(e);
        Assert.Equal(path, explained.File);                                  // the file, not its hidden temporary name
        Assert.StartsWith("no space left on the disk: could not write " + path, explained.Message);
        Assert.Matches(@"\(\d+(\.\d)? (KB|MB) free on that disk\)", explained.Message);
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [SmallDiskFact]
    public void Catalog_OnAFullDisk_IsADiskFullFailure_AndKeepsWhatWasStored()
    {
        using var disk = new SmallDisk(2 * 1024 * 1024);
        var workspace = Path.Combine(disk.Path, "ws");
        using (var store = EventStore.Open(workspace)) store.Add(Alert("first"));
        using (var store = EventStore.Open(workspace))
        {
            var filler = disk.Fill();
            var e = Record.Exception(() => { for (int i = 0; i < 10_000; i++) store.Add(Alert($"more {i}")); });
            Assert.NotNull(e);
            Assert.True(DiskFull.Is(e), e.ToString());
            Assert.Contains("could not update the catalog in " + workspace, DiskFull.Explain(e, workspace).Message);
            File.Delete(filler);
            store.Add(Alert("after"));                      // the same open store records again once there is room
        }
        var stored = EventStore.List(workspace);
        Assert.Contains(stored, a => a.Rule == "first");
        Assert.Contains(stored, a => a.Rule == "after");
    }

    [SmallDiskFact]
    public async Task Watcher_OnAFullDisk_KeepsWatching_AndSaysTheAlertWasNotStored()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-diskfull-watch").FullName;
        try
        {
            using var disk = new SmallDisk(4 * 1024 * 1024);
            var clip = await WatchTestKit.BlobClip(Path.Combine(dir, "person.mp4"), Scenes.PersonRed);
            using var analyzer = WatchTestKit.Tiny(dir);
            var observer = new RecordingObserver();
            var workspace = Path.Combine(disk.Path, "ws");
            string? filler = null;
            var source = new OnFirstFrame(WatchTestKit.File(clip), () => filler = disk.Fill());

            var stats = await new WatchService().RunAsync(source, analyzer, SnapshotRule, new WatchOptions { Workspace = workspace, Camera = "porch" }, observer);

            Assert.Equal(stats.FramesIn, stats.Processed + stats.SkippedByMotion + stats.Dropped);   // every frame was watched to the end
            Assert.Equal(1, stats.Events);
            var (alert, outcomes) = Assert.Single(observer.Alerts);
            Assert.Equal("person", alert.Label);
            var lost = Assert.Single(outcomes, o => o.Action == LocalAlertRecorder.StoreOutcome);
            Assert.False(lost.Ok);
            Assert.StartsWith("no space left on the disk", lost.Detail);
            Assert.Empty(Directory.EnumerateFiles(workspace, "*.tmp", SearchOption.AllDirectories)); // no half-written snapshot

            File.Delete(filler!);                                                         // space again: the next run records
            var again = await new WatchService().RunAsync(WatchTestKit.File(clip), analyzer, SnapshotRule, new WatchOptions { Workspace = workspace, Camera = "porch" });
            Assert.Equal(1, again.Events);
            var stored = Assert.Single(EventStore.List(workspace));
            Assert.True(File.Exists(stored.SnapshotPath), stored.SnapshotPath);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public async Task Watcher_WhenItsCatalogRefusesWrites_KeepsWatching_AndSaysTheAlertWasNotStored()
    {
        // What a disk the kernel turned read-only (a failing SD card) does to SQLite, without needing one: every insert
        // into the events table is refused.
        var dir = Directory.CreateTempSubdirectory("lookout-refused-watch").FullName;
        try
        {
            var workspace = Path.Combine(dir, "ws");
            EventStore.Open(workspace).Dispose();
            using (var db = SqliteFile.Open(Path.Combine(workspace, "catalog.db")))
                db.Execute("CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'attempt to write a readonly database'); END;");
            var clip = await WatchTestKit.BlobClip(Path.Combine(dir, "person.mp4"), Scenes.PersonRed);
            using var analyzer = WatchTestKit.Tiny(dir);
            var observer = new RecordingObserver();

            var stats = await new WatchService().RunAsync(WatchTestKit.File(clip), analyzer, SnapshotRule, new WatchOptions { Workspace = workspace, Camera = "porch" }, observer);

            Assert.Equal(stats.FramesIn, stats.Processed + stats.SkippedByMotion + stats.Dropped);
            var (_, outcomes) = Assert.Single(observer.Alerts);
            var lost = Assert.Single(outcomes, o => o.Action == LocalAlertRecorder.StoreOutcome);
            Assert.False(lost.Ok);
            Assert.StartsWith("the event could not be stored", lost.Detail);
            Assert.Contains("readonly", lost.Detail);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>One alert with a snapshot when a person stays in view (the blob clip has one such stretch).</summary>
    private static readonly RuleSet SnapshotRule = RulesLoader.Parse("""
        rules:
          - name: stranger
            when: { label: person, min_score: 0.6, frames: 3, of_last: 5 }
            actions: [snapshot]
        """);

    private static AlertEvent Alert(string rule) =>
        new(Guid.NewGuid().ToString("N"), "porch", rule, "person", 0.9f, 0.9f, DateTimeOffset.UtcNow, TimeSpan.Zero, 1, null, null);

    /// <summary>A source that does something to the disk once the watcher runs (its catalog open), as a camera box's disk would.</summary>
    private sealed class OnFirstFrame(IFrameSource inner, Action happen) : IFrameSource
    {
        public string Name => inner.Name;
        public bool IsLive => inner.IsLive;

        public async IAsyncEnumerable<Frame> ReadAsync(Action<SourceStatus>? status, [EnumeratorCancellation] CancellationToken ct)
        {
            bool first = true;
            await foreach (var frame in inner.ReadAsync(status, ct))
            {
                if (first) happen();
                first = false;
                yield return frame;
            }
        }
    }
}

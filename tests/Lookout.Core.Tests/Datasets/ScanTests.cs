using Lookout.Core.Datasets;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Datasets;

public class ScanTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookout-scan").FullName;
    private string Data => Path.Combine(_root, "data");
    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(string rel) { var p = Path.Combine(Data, rel); Directory.CreateDirectory(Path.GetDirectoryName(p)!); return p; }

    [Fact]
    public async Task MixedFolder_ListsEveryBadFileWithAReason_AndKeepsTheGoodOnes()
    {
        TestImages.Png(P("cat/a.png"), 1);
        TestImages.Jpeg(P("cat/b.jpg"), 2);
        File.WriteAllBytes(P("cat/jpeg-named.png"), TestImages.Bytes(3, ".jpg"));      // wrong extension, real JPEG
        File.WriteAllBytes(P("cat/no-extension.dat"), TestImages.Bytes(4, ".png"));    // unknown extension, sniffed as PNG
        TestImages.Jpeg(P("dog/sideways.jpg"), 5, width: 40, height: 20, orientation: 6);
        using (var vips = NetVips.Image.NewFromFile(P("cat/a.png")))
        {
            vips.WriteToFile(P("cat/c.webp"));
            vips.WriteToFile(P("cat/d.gif"));
        }
        File.WriteAllBytes(P("cat/e.bmp"), Imaging.BmpDecoderTests.Bmp(6, 4, 24, (y, stride) => new byte[stride]));
        TestImages.Png(P("dog/big.png"), 6, width: 300, height: 200);
        File.WriteAllBytes(P("dog/empty.jpg"), []);
        File.WriteAllText(P("dog/text.jpg"), "not an image, just text");
        var jpeg = TestImages.Bytes(7, ".jpg", 64, 64);
        File.WriteAllBytes(P("dog/truncated.jpg"), jpeg[..(jpeg.Length / 2)]);
        var png = TestImages.Bytes(8, ".png", 64, 64);
        File.WriteAllBytes(P("dog/truncated.png"), png[..(png.Length / 2)]);
        File.WriteAllText(P("dog/readme.txt"), "notes");
        TestImages.Png(P("loose.png"), 9);
        TestImages.Png(P("cat/.hidden.png"), 10);
        File.WriteAllText(P("cat/Thumbs.db"), "x");

        var service = DatasetService.ForDataDir(Data);
        var progress = new List<ScanProgress>();
        var result = await service.ScanAsync(Data, new ScanOptions { Limits = new ImageLimits { MaxPixels = 50_000 } }, new SyncProgress(progress.Add));

        var problems = result.Problems.ToDictionary(p => p.Path, p => p.Reason);
        Assert.Equal(["dog/big.png", "dog/empty.jpg", "dog/readme.txt", "dog/text.jpg", "dog/truncated.jpg", "dog/truncated.png", "loose.png"],
            problems.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("300x200", problems["dog/big.png"]);
        Assert.Contains("empty", problems["dog/empty.jpg"]);
        Assert.Contains("not a supported image format", problems["dog/text.jpg"]);
        Assert.Contains("truncated", problems["dog/truncated.jpg"]);
        Assert.Contains("truncated", problems["dog/truncated.png"]);
        Assert.Contains("not an image or video", problems["dog/readme.txt"]);
        Assert.Contains("label folder", problems["loose.png"]);
        Assert.Equal(15, result.Added);
        Assert.Equal(7, result.Unreadable);

        var snapshot = service.Snapshot();
        Assert.Equal(["cat/a.png", "cat/b.jpg", "cat/c.webp", "cat/d.gif", "cat/e.bmp", "cat/jpeg-named.png", "cat/no-extension.dat", "dog/sideways.jpg"],
            snapshot.Select(s => Path.GetRelativePath(Data, s.Path)).Order(StringComparer.Ordinal));
        Assert.All(snapshot, s => Assert.Equal(64, s.Sha256.Length));
        Assert.Equal("dog", snapshot.Single(s => s.Path.EndsWith("sideways.jpg")).Label);
        var sideways = service.Items().Single(i => i.Path == "dog/sideways.jpg");
        Assert.Equal((20, 40), (sideways.Width, sideways.Height));      // EXIF orientation 6 turns 40x20 upright

        Assert.Equal((6, 4), (service.Items().Single(i => i.Path == "cat/e.bmp").Width, service.Items().Single(i => i.Path == "cat/e.bmp").Height));
        Assert.Equal(15, progress[^1].FilesTotal);
        Assert.Equal(15, progress[^1].FilesScanned);
        Assert.True(File.Exists(Path.Combine(_root, ".lookout", "catalog.db")));
    }

    [Fact]
    public async Task Rescan_IsIncremental_AndKeepsSplitsAndManualLabels()
    {
        for (int i = 0; i < 6; i++) { TestImages.Png(P($"cat/c{i}.png"), i); TestImages.Png(P($"dog/d{i}.png"), 100 + i); }
        var service = DatasetService.ForDataDir(Data);
        var first = await service.ScanAsync(Data);
        Assert.Equal((12, 0, 0), (first.Added, first.Updated, first.Unchanged));
        service.Split(new SplitOptions { Seed = 3 });
        var splits = service.Snapshot().ToDictionary(s => s.Path, s => s.Split);
        service.SetLabel("dog/d0.png", "wolf");

        var again = await service.ScanAsync(Data);
        Assert.Equal((0, 0, 12), (again.Added, again.Updated, again.Unchanged));

        // Modify one file (new content), add one, delete one.
        TestImages.Png(P("dog/d0.png"), 999);
        File.SetLastWriteTimeUtc(P("dog/d0.png"), DateTime.UtcNow.AddMinutes(1));
        TestImages.Png(P("cat/new.png"), 555);
        File.Delete(P("cat/c1.png"));
        var third = await service.ScanAsync(Data);
        Assert.Equal((1, 1, 10, 1), (third.Added, third.Updated, third.Unchanged, third.Missing));

        var snapshot = service.Snapshot().ToDictionary(s => s.Path);
        Assert.DoesNotContain(P("cat/c1.png"), snapshot.Keys);
        Assert.Equal(ItemStatus.Missing, service.Items().Single(i => i.Path == "cat/c1.png").Status);
        Assert.Equal("wolf", snapshot[P("dog/d0.png")].Label);
        Assert.Equal(Split.Unassigned, snapshot[P("cat/new.png")].Split);
        foreach (var (path, split) in splits.Where(s => s.Key != P("cat/c1.png")))
            Assert.Equal(split, snapshot[path].Split);

        // A later split fills in only the new item.
        Assert.Equal(1, service.Split(new SplitOptions { Seed = 3 }).Assigned);
    }

    [Fact]
    public async Task TrainValTestFolders_AreHonoured_AndNotResplit()
    {
        TestImages.Png(P("train/cat/a.png"), 1); TestImages.Png(P("train/cat/b.png"), 2); TestImages.Png(P("train/dog/c.png"), 3);
        TestImages.Png(P("val/cat/d.png"), 4); TestImages.Png(P("valid/dog/e.png"), 5); TestImages.Png(P("test/dog/f.png"), 6);
        TestImages.Png(P("extra/cat/g.png"), 7);
        TestImages.Png(P("train/h.png"), 8);
        await Lookout.Core.Tests.Video.TestClips.WriteAsync(P("val/dog/clip.mp4"), 4, (Lookout.Core.Tests.Video.TestClips.Pattern(1), 2));
        var service = DatasetService.ForDataDir(Data);
        var result = await service.ScanAsync(Data);
        Assert.Contains(result.Problems, p => p.Path == "extra/cat/g.png" && p.Reason.Contains("outside the train/val/test"));
        Assert.Contains(result.Problems, p => p.Path == "train/h.png" && p.Reason.Contains("label folder"));

        var split = service.Split(new SplitOptions { Seed = 1 });
        Assert.Equal(0, split.Assigned);
        Assert.True(split.FolderSplits);
        var bySplit = service.Snapshot().ToDictionary(s => Path.GetFileName(s.Path), s => (s.Label, s.Split));
        Assert.Equal(("cat", Split.Train), bySplit["a.png"]);
        Assert.Equal(("dog", Split.Train), bySplit["c.png"]);
        Assert.Equal(("cat", Split.Val), bySplit["d.png"]);
        Assert.Equal(("dog", Split.Val), bySplit["e.png"]);
        Assert.Equal(("dog", Split.Test), bySplit["f.png"]);
        var frames = service.Snapshot().Where(s => s.Group == "video:val/dog/clip.mp4").ToList();
        Assert.Single(frames);                                    // 2 s of one still picture -> 1 frame
        Assert.Equal(("dog", Split.Val), (frames[0].Label, frames[0].Split));
        Assert.Equal(7, service.Stats().UsableItems);
    }

    [Fact]
    public async Task Workspace_CanBeElsewhere_ButBelongsToOneDataFolder()
    {
        TestImages.Png(P("cat/a.png"), 1);
        var ws = Path.Combine(_root, "ws");
        var service = DatasetService.ForDataDir(Data, ws);
        await service.ScanAsync(Data);
        Assert.True(File.Exists(Path.Combine(ws, "catalog.db")));
        foreach (var sub in new[] { "cache", "runs", "models", "frames", "events" }) Assert.True(Directory.Exists(Path.Combine(ws, sub)), sub);
        var other = Path.Combine(_root, "other"); Directory.CreateDirectory(other);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => service.ScanAsync(other));
        Assert.Contains("belongs to data folder", ex.Message);

        // Moving the data folder is fine: the catalog's paths are relative, labels and splits stay.
        service.Split();
        var before = service.Snapshot().Single();
        var moved = Path.Combine(_root, "moved");
        Directory.Move(Data, moved);
        var rescan = await service.ScanAsync(moved);
        Assert.Equal((0, 1), (rescan.Added, rescan.Unchanged));
        Assert.Equal(before with { Path = Path.Combine(moved, "cat", "a.png") }, service.Snapshot().Single());
    }

    [Fact]
    public async Task CancelledScan_CanBeResumed()
    {
        for (int i = 0; i < 100; i++) TestImages.Png(P($"cat/{i:000}.png"), i, 8, 8);
        var service = DatasetService.ForDataDir(Data);
        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            service.ScanAsync(Data, null, new SyncProgress(p => { if (p.FilesScanned >= 10) cts.Cancel(); }), cts.Token));
        int before = service.Items().Count;
        Assert.InRange(before, 0, 99);
        var resumed = await service.ScanAsync(Data);
        Assert.Equal((100 - before, before), (resumed.Added, resumed.Unchanged));
        Assert.Equal(100, service.Snapshot().Count);
    }

    /// <summary>IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<ScanProgress> report) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress value) => report(value);
    }
}

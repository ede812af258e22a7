using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Tests.Video;

namespace Lookout.Core.Tests.Datasets;

public class VideoDatasetTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookout-vds").FullName;
    private string Data => Path.Combine(_root, "data");
    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A clip that holds one pattern for <paramref name="stillSeconds"/>, then shows a new one each second.</summary>
    private async Task<string> Clip(string rel, int seed, int stillSeconds, int changes)
    {
        var path = Path.Combine(Data, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var segments = new List<(Lookout.Core.Imaging.RgbImage, double)> { (TestClips.Pattern(seed), stillSeconds) };
        for (int i = 1; i <= changes; i++) segments.Add((TestClips.Pattern(seed * 100 + i), 1));
        return await TestClips.WriteAsync(path, 5, segments.ToArray());
    }

    [Fact]
    public async Task Videos_BecomeDedupedFrames_WithSourceAndTime()
    {
        await Clip("cat/walk.mp4", 1, stillSeconds: 5, changes: 3);
        Directory.CreateDirectory(Path.Combine(Data, "cat"));
        File.WriteAllText(Path.Combine(Data, "cat", "fake.mp4"), "not a video");
        var service = DatasetService.ForDataDir(Data);
        var result = await service.ScanAsync(Data);

        Assert.Equal(4, result.FramesExtracted);     // 1 for the 5 s still segment + 3 changes
        var problem = Assert.Single(result.Problems);
        Assert.Equal("cat/fake.mp4", problem.Path);
        Assert.Contains("not a readable video", problem.Reason);

        var frames = service.Items().Where(i => i.Kind == ItemKind.Frame).OrderBy(i => i.SourceTimeMs).ToList();
        Assert.Equal([0L, 5000, 6000, 7000], frames.Select(f => f.SourceTimeMs!.Value));
        Assert.All(frames, f => Assert.Equal("cat/walk.mp4", f.Source));
        Assert.All(frames, f => Assert.Equal("cat", f.Label));
        var video = service.Items().Single(i => i.Path == "cat/walk.mp4");
        Assert.Equal($"frames/{video.Sha256}/5000.png", frames[1].File);

        var snapshot = service.Snapshot();
        Assert.Equal(4, snapshot.Count);
        Assert.All(snapshot, s => Assert.True(File.Exists(s.Path), s.Path));
        Assert.All(snapshot, s => Assert.Equal("video:cat/walk.mp4", s.Group));
        Assert.Equal(Path.Combine(_root, ".lookout", "frames", video.Sha256!, "0.png"), snapshot.OrderBy(s => s.Path).First().Path);

        var source = Assert.Single(service.Stats().Sources);
        Assert.Equal(new SourceCount("cat/walk.mp4", "cat", 4), source);

        // Unchanged video: no re-extraction. Changed frame settings: re-extracted (every second kept).
        var again = await service.ScanAsync(Data);
        Assert.Equal((0, 2), (again.FramesExtracted, again.Unchanged));
        // A split given to the frames, and a label given to the video, survive re-extraction.
        service.Split(new SplitOptions { Seed = 1, Train = 0, Val = 0, Test = 1 });
        service.SetLabel("cat/walk.mp4", "dog");
        Assert.All(service.Snapshot(), s => Assert.Equal("dog", s.Label));
        var all = await service.ScanAsync(Data, new ScanOptions { DuplicateThreshold = -1 });
        Assert.Equal(8, all.FramesExtracted);
        Assert.Equal(8, service.Snapshot().Count);
        Assert.All(service.Snapshot(), s => Assert.Equal((Split.Test, "dog"), (s.Split, s.Label)));
    }

    [Fact]
    public async Task Split_KeepsEachVideosFrames_AndDuplicates_Together_Deterministically()
    {
        ShapesDatasetGenerator.Generate(Data, new ShapesOptions { PerClass = 12, Size = 24, Seed = 4, Classes = ["circle", "square"] });
        await Clip("circle/c1.mp4", 2, 1, 3);
        await Clip("circle/c2.mp4", 3, 1, 3);
        await Clip("square/s1.mp4", 4, 1, 3);
        File.Copy(Path.Combine(Data, "circle", "circle-0000.png"), Path.Combine(Data, "circle", "copy.png"));
        var a = DatasetService.ForDataDir(Data);
        await a.ScanAsync(Data);
        a.Split(new SplitOptions { Seed = 11 });
        var snapA = a.Snapshot();
        var hashA = a.ManifestHash();

        Assert.Equal(37, snapA.Count);      // 24 images + 1 copy + 3 clips x 4 frames
        foreach (var group in snapA.GroupBy(s => s.Group)) Assert.Single(group.Select(s => s.Split).Distinct());
        // Checked by the frames' folders too (not only by the group key the code under test computes).
        var clips = snapA.Where(s => s.Path.Contains("/frames/")).GroupBy(s => Path.GetDirectoryName(s.Path)).ToList();
        Assert.Equal(3, clips.Count);
        Assert.All(clips, clip => { Assert.Equal(4, clip.Count()); Assert.Single(clip.Select(s => s.Split).Distinct()); });
        Assert.Equal(2, snapA.Count(s => s.Group == snapA.Single(x => x.Path.EndsWith("copy.png")).Group));
        foreach (var label in new[] { "circle", "square" })
            Assert.Equal(3, snapA.Where(s => s.Label == label).Select(s => s.Split).Distinct().Count());

        // Same seed from scratch: same split. Another seed: another split.
        a.Split(new SplitOptions { Seed = 11, Reassign = true });
        Assert.Equal(Sorted(snapA), Sorted(a.Snapshot()));
        Assert.Equal(hashA, a.ManifestHash());
        a.Split(new SplitOptions { Seed = 12, Reassign = true });
        Assert.NotEqual(hashA, a.ManifestHash());

        static List<string> Sorted(IEnumerable<LabeledImage> s) => s.Select(x => $"{x.Sha256} {x.Label} {x.Split} {x.Group}").Order().ToList();
    }

    [Fact]
    public async Task GeneratedClips_EveryClassReachesTest_AndAOneClipClassIsSplitByTime()
    {
        // Two classes with four short clips each (different lengths) and one class with a single longer clip.
        int seed = 10;
        foreach (var label in new[] { "street", "tree" })
            for (int c = 0; c < 4; c++) await Clip($"{label}/clip{c}.mp4", seed++, stillSeconds: 1, changes: 2 + c);
        await Clip("cartoon/film.mp4", 99, stillSeconds: 1, changes: 24);
        var service = DatasetService.ForDataDir(Data);
        await service.ScanAsync(Data);
        var result = service.Split(new SplitOptions { Seed = 3 });

        var blocked = Assert.Single(result.TimeBlocked);
        Assert.Equal("cartoon", blocked.Label);
        Assert.True(blocked.Excluded >= 2);
        var items = service.Snapshot();
        foreach (var label in new[] { "street", "tree", "cartoon" })
            foreach (var split in new[] { Split.Train, Split.Val, Split.Test })
                Assert.Contains(items, i => i.Label == label && i.Split == split);
        Assert.Equal(blocked.Excluded, items.Count(i => i.Split == Split.Excluded));
        foreach (var g in items.Where(i => i.Label != "cartoon").GroupBy(i => i.Group))
            Assert.Single(g.Select(i => i.Split).Distinct());
    }
}

using Lookout.Core.Datasets;

namespace Lookout.Core.Tests.Datasets;

public class DatasetStatsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookout-stats").FullName;
    private string Data => Path.Combine(_root, "data");
    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static CatalogItem Img(string path, string label, string sha, Split split = Split.Unassigned, int w = 10, int h = 10) => new()
    {
        Path = path, Kind = ItemKind.Image, Status = ItemStatus.Ok, Source = path, Label = label, Sha256 = sha, Split = split, Width = w, Height = h,
    };

    [Fact]
    public void Counts_Imbalance_Sources_Resolutions_Duplicates()
    {
        var items = new List<CatalogItem>
        {
            Img("a/1.png", "a", "s1", Split.Train, 10, 10), Img("a/2.png", "a", "s2", Split.Train, 30, 20), Img("a/3.png", "a", "s3", Split.Val, 100, 50),
            Img("a/4.png", "a", "s4", Split.Test, 20, 20), Img("a/5.png", "a", "s5", Split.Unassigned, 40, 40), Img("a/6.png", "a", "s6", Split.Train, 5, 5),
            Img("a/7.png", "a", "dup", Split.Train), Img("b/7-copy.png", "b", "dup", Split.Train),
            Img("a/8.png", "a", "same", Split.Train), Img("a/8-copy.png", "a", "same", Split.Test),
            new() { Path = "b/clip.mp4", Kind = ItemKind.Video, Status = ItemStatus.Ok, Source = "b/clip.mp4", Label = "b", Sha256 = "v" },
            new() { Path = "b/clip.mp4#t=0", Kind = ItemKind.Frame, Status = ItemStatus.Ok, Source = "b/clip.mp4", Label = "b", Sha256 = "f0", Split = Split.Train, Width = 64, Height = 48 },
            new() { Path = "b/clip.mp4#t=1000", Kind = ItemKind.Frame, Status = ItemStatus.Ok, Source = "b/clip.mp4", Label = "b", Sha256 = "f1", Split = Split.Train, Width = 64, Height = 48 },
            new() { Path = "b/bad.jpg", Kind = ItemKind.Image, Status = ItemStatus.Unreadable, Reason = "empty file", Source = "b/bad.jpg", Label = "b" },
            new() { Path = "b/gone.jpg", Kind = ItemKind.Image, Status = ItemStatus.Missing, Source = "b/gone.jpg", Label = "b", Sha256 = "g" },
        };
        var stats = DatasetStatsCalculator.Compute(items, []);

        Assert.Equal([new LabelCounts("a", 5, 1, 2, 1), new LabelCounts("b", 3, 0, 0, 0)], stats.Labels);
        Assert.Equal(12, stats.UsableItems);
        Assert.Equal(3.0, stats.ImbalanceRatio);
        Assert.Null(stats.ImbalanceWarning);                // 9/3 = 3 is not above 3
        var strict = DatasetStatsCalculator.Compute(items, [], imbalanceThreshold: 2);
        Assert.Contains("'a' has 9 items, 'b' only 3", strict.ImbalanceWarning);

        Assert.Equal([new SourceCount("b/clip.mp4", "b", 2)], stats.Sources);
        Assert.Equal(new ResolutionSummary(new Resolution(5, 5), new Resolution(10, 10), new Resolution(100, 50)), stats.Resolution);

        Assert.Equal(2, stats.Duplicates.Count);
        var conflict = stats.Duplicates[0];
        Assert.Equal(("dup", true), (conflict.Sha256, conflict.ConflictingLabels));
        Assert.Equal(["a/7.png", "b/7-copy.png"], conflict.Paths);
        var leak = stats.Duplicates[1];
        Assert.Equal(("same", false, true), (leak.Sha256, leak.ConflictingLabels, leak.CrossSplit));

        Assert.Equal([new ScanProblem("b/bad.jpg", "empty file")], stats.Unreadable);
        Assert.Equal(1, stats.Missing);
    }

    [Fact]
    public void ManifestHash_DependsOnContentLabelsAndSplits_NotOnPathsOrOrder()
    {
        var a = new LabeledImage("/x/1.png", "s1", "cat", Split.Train, "g1");
        var b = new LabeledImage("/x/2.png", "s2", "dog", Split.Val, "g2");
        var h = DatasetManifest.Hash([a, b]);
        Assert.Equal(64, h.Length);
        Assert.Equal(h, DatasetManifest.Hash([b, a with { Path = "/elsewhere/renamed.png" }]));
        Assert.NotEqual(h, DatasetManifest.Hash([a with { Label = "dog" }, b]));
        Assert.NotEqual(h, DatasetManifest.Hash([a with { Split = Split.Test }, b]));
        Assert.NotEqual(h, DatasetManifest.Hash([a with { Sha256 = "s3" }, b]));
    }

    [Fact]
    public async Task ServiceStats_OnARealScan()
    {
        for (int i = 0; i < 8; i++) TestImages.Png(Path.Combine(Data, "many", $"{i}.png"), i, 20 + i, 10);
        TestImages.Png(Path.Combine(Data, "few", "0.png"), 50, 40, 30);
        File.Copy(Path.Combine(Data, "many", "0.png"), Path.Combine(Data, "few", "same-as-many-0.png"));
        var service = DatasetService.ForDataDir(Data);
        await service.ScanAsync(Data);
        var stats = service.Stats();
        Assert.Equal(["few", "many"], stats.Labels.Select(l => l.Label));
        Assert.Equal(4.0, stats.ImbalanceRatio);
        Assert.NotNull(stats.ImbalanceWarning);
        Assert.True(Assert.Single(stats.Duplicates).ConflictingLabels);
        Assert.Equal(new Resolution(20, 10), stats.Resolution!.Min);
        Assert.Equal(new Resolution(40, 30), stats.Resolution.Max);
        Assert.Equal(service.ManifestHash(), stats.ManifestHash);
        Assert.Equal(64, stats.ManifestHash.Length);
    }
}

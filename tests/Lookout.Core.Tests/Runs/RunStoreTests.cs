using Lookout.Core.Datasets;
using Lookout.Core.Runs;

namespace Lookout.Core.Tests.Runs;

public class RunStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-runs-").FullName;

    [Fact]
    public void CreatesIncrementingIds_AndListsThem()
    {
        var store = new RunStore(_dir);
        var a = store.Create();
        var b = store.Create();
        var e = store.Create("eval");
        Assert.Equal(["train1", "train2", "eval1"], new[] { a.Id, b.Id, e.Id });
        Directory.Delete(a.Dir, true);
        Assert.Equal("train3", store.Create().Id); // never reuses a number below the highest
        Assert.Equal(["eval1", "train2", "train3"], store.List().Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Throws<DirectoryNotFoundException>(() => store.Open("nope"));
    }

    [Fact]
    public void ManifestHash_DependsOnContentLabelsAndSplits_NotPathsOrOrder()
    {
        LabeledImage I(string sha, string label, Split s, string path = "p") => new(path + sha, sha, label, s, sha);
        var items = new[] { I("a", "x", Split.Train), I("b", "y", Split.Val), I("c", "x", Split.Test) };
        var h = RunManifest.HashDataset(items);
        Assert.Equal(h, RunManifest.HashDataset(items.Reverse().Select(i => i with { Path = "/elsewhere/" + i.Sha256 })));
        Assert.NotEqual(h, RunManifest.HashDataset([items[0] with { Label = "y" }, items[1], items[2]]));
        Assert.NotEqual(h, RunManifest.HashDataset([items[0] with { Split = Split.Val }, items[1], items[2]]));

        var m = RunManifest.Create("train1", items, ["x", "y"], "bb", "hash", 42);
        Assert.Equal(["a"], m.Splits["train"].Items);
        Assert.Equal(1, m.Splits["test"].Count);
        Assert.False(string.IsNullOrEmpty(m.CodeVersion));

        var run = new RunStore(_dir).Create();
        run.WriteJson(run.ManifestPath, m);
        var back = run.ReadJson<RunManifest>(run.ManifestPath)!;
        Assert.Equal(m.DatasetHash, back.DatasetHash);
        Assert.Equal(m.Splits["val"].Hash, back.Splits["val"].Hash);
        Assert.Equal(42, back.Seed);
    }

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }
}

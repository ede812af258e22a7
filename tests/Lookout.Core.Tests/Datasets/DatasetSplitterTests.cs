using Lookout.Core.Datasets;

namespace Lookout.Core.Tests.Datasets;

public class DatasetSplitterTests
{
    private static List<SplitCandidate> Singletons(string label, int n) =>
        Enumerable.Range(0, n).Select(i => new SplitCandidate($"{label}/{i}.png", label, $"sha:{label}{i}", Split.Unassigned, SplitOrigin.None)).ToList();

    [Fact]
    public void Singletons_AreStratifiedToTheFractions()
    {
        var items = Singletons("a", 100).Concat(Singletons("b", 20)).ToList();
        var result = DatasetSplitter.Assign(items, new SplitOptions { Seed = 5 });
        Assert.Equal(120, result.Count);
        int Count(string label, Split s) => items.Count(i => i.Label == label && result[i.Path] == s);
        Assert.Equal((70, 15, 15), (Count("a", Split.Train), Count("a", Split.Val), Count("a", Split.Test)));
        Assert.Equal((14, 3, 3), (Count("b", Split.Train), Count("b", Split.Val), Count("b", Split.Test)));
    }

    [Fact]
    public void SameSeed_SameSplit_OtherSeed_DifferentSplit_InputOrderIrrelevant()
    {
        var items = Singletons("a", 50);
        var one = DatasetSplitter.Assign(items, new SplitOptions { Seed = 1 });
        var shuffled = items.AsEnumerable().Reverse().ToList();
        Assert.Equal(one.OrderBy(x => x.Key), DatasetSplitter.Assign(shuffled, new SplitOptions { Seed = 1 }).OrderBy(x => x.Key));
        Assert.NotEqual(one.OrderBy(x => x.Key), DatasetSplitter.Assign(items, new SplitOptions { Seed = 2 }).OrderBy(x => x.Key));
    }

    [Fact]
    public void Groups_NeverStraddle_AndJoinAnExistingSplit()
    {
        var items = new List<SplitCandidate>();
        for (int g = 0; g < 12; g++)
            for (int f = 0; f < 5; f++)
                items.Add(new SplitCandidate($"v{g}.mp4#t={f}", g % 2 == 0 ? "x" : "y", $"video:v{g}.mp4", Split.Unassigned, SplitOrigin.None));
        // One frame of group 0 was already placed in Test: its siblings must follow.
        items[0] = items[0] with { Split = Split.Test, Origin = SplitOrigin.Auto };
        var result = DatasetSplitter.Assign(items, new SplitOptions { Seed = 9 });
        Assert.Equal(59, result.Count);
        Split Final(SplitCandidate c) => result.TryGetValue(c.Path, out var s) ? s : c.Split;
        foreach (var group in items.GroupBy(i => i.Group))
            Assert.Single(group.Select(Final).Distinct());
        Assert.All(items.Where(i => i.Group == "video:v0.mp4"), i => Assert.Equal(Split.Test, Final(i)));
        // With 6 groups per label, every split still gets a group.
        foreach (var label in new[] { "x", "y" })
            Assert.Equal(3, items.Where(i => i.Label == label).Select(Final).Distinct().Count());
    }

    [Fact]
    public void Reassign_RedoesAutoSplits_ButKeepsFolderAndManualOnes()
    {
        var items = Singletons("a", 10);
        items[0] = items[0] with { Split = Split.Test, Origin = SplitOrigin.Folder };
        items[1] = items[1] with { Split = Split.Val, Origin = SplitOrigin.Manual };
        items[2] = items[2] with { Split = Split.Val, Origin = SplitOrigin.Auto };
        var kept = DatasetSplitter.Assign(items, new SplitOptions());
        Assert.Equal(7, kept.Count);
        var redo = DatasetSplitter.Assign(items, new SplitOptions { Reassign = true });
        Assert.Equal(8, redo.Count);
        Assert.DoesNotContain(items[0].Path, redo.Keys);
        Assert.DoesNotContain(items[1].Path, redo.Keys);
    }

    [Fact]
    public void BadFractions_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => DatasetSplitter.Assign(Singletons("a", 3), new SplitOptions { Train = 0.8, Val = 0.3, Test = 0 }));
        var noTest = DatasetSplitter.Assign(Singletons("a", 10), new SplitOptions { Train = 0.8, Val = 0.2, Test = 0 });
        Assert.DoesNotContain(Split.Test, noTest.Values);
        Assert.Equal(8, noTest.Values.Count(s => s == Split.Train));
    }
}

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

    /// <summary>Frames of clips: (label, clip index, frame count), 4 fps.</summary>
    private static List<SplitCandidate> Clips(params (string Label, int Clip, int Frames)[] clips) =>
        [.. clips.SelectMany(c => Enumerable.Range(0, c.Frames).Select(f =>
            new SplitCandidate($"{c.Label}/clip{c.Clip}.mp4#t={f * 250}", c.Label, $"video:{c.Label}/clip{c.Clip}.mp4", Split.Unassigned, SplitOrigin.None, f * 250L)))];

    [Fact]
    public void FewClipsPerClass_EverySplitGetsAWholeClipOfEveryClass()
    {
        // The case from the field: 4-6 clips per class with uneven lengths used to leave test with one class only.
        var items = Clips(("cartoon", 0, 9), ("cartoon", 1, 5), ("cartoon", 2, 4), ("cartoon", 3, 3), ("cartoon", 4, 2),
            ("tree", 0, 6), ("tree", 1, 5), ("tree", 2, 3), ("tree", 3, 3),
            ("street", 0, 8), ("street", 1, 4), ("street", 2, 3), ("street", 3, 3), ("street", 4, 2), ("street", 5, 2));
        foreach (var seed in new[] { 1, 2, 3, 42 })
        {
            var plan = DatasetSplitter.Plan(items, new SplitOptions { Seed = seed });
            Assert.Empty(plan.TimeBlocked);
            foreach (var label in new[] { "cartoon", "tree", "street" })
                foreach (var split in new[] { Split.Train, Split.Val, Split.Test })
                    Assert.Contains(items, i => i.Label == label && plan.Assignments[i.Path] == split);
            foreach (var group in items.GroupBy(i => i.Group))
                Assert.Single(group.Select(i => plan.Assignments[i.Path]).Distinct());
            // Train keeps the bulk of every class.
            foreach (var label in new[] { "cartoon", "tree", "street" })
                Assert.True(items.Count(i => i.Label == label && plan.Assignments[i.Path] == Split.Train) >= items.Count(i => i.Label == label) / 2);
        }
    }

    [Fact]
    public void ClassWithFewerSourcesThanSplits_IsSplitByTimeBlocksWithGaps()
    {
        var items = Clips(("tree", 0, 40), ("street", 0, 5), ("street", 1, 5), ("street", 2, 5));
        var plan = DatasetSplitter.Plan(items, new SplitOptions { Seed = 7 });
        var blocked = Assert.Single(plan.TimeBlocked);
        Assert.Equal(("tree", 1, 4), (blocked.Label, blocked.Sources, blocked.Excluded)); // 5% of 40 = 2 frames before val and before test
        var tree = items.Where(i => i.Label == "tree").OrderBy(i => i.TimeMs).Select(i => plan.Assignments[i.Path]).ToList();
        Assert.Equal(Split.Train, tree[0]);
        Assert.Equal(Split.Test, tree[^1]);
        // Time order: train block, gap, val block, gap, test block.
        var runs = new List<Split>();
        foreach (var s in tree) if (runs.Count == 0 || runs[^1] != s) runs.Add(s);
        Assert.Equal([Split.Train, Split.Excluded, Split.Val, Split.Excluded, Split.Test], runs);
        Assert.InRange(tree.Count(s => s == Split.Train), 24, 28);
        // The class with three clips still gets one whole clip per split.
        foreach (var split in new[] { Split.Train, Split.Val, Split.Test })
            Assert.Single(items.Where(i => i.Label == "street" && plan.Assignments[i.Path] == split).Select(i => i.Group).Distinct());

        // Re-running keeps everything placed (the gap frames stay out).
        var placed = items.Select(i => i with { Split = plan.Assignments[i.Path], Origin = SplitOrigin.Auto }).ToList();
        Assert.Empty(DatasetSplitter.Assign(placed, new SplitOptions { Seed = 7 }));
    }
}

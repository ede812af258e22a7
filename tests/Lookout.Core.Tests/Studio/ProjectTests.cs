using Lookout.Core.Embeddings;
using Lookout.Core.Datasets;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Import;

namespace Lookout.Core.Tests.Studio;

public class ProjectTests
{
    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData(".hidden")]
    [InlineData("_unlabelled")]
    [InlineData("train")]
    [InlineData("Unknown")]
    [InlineData("tab\there")]
    [InlineData("nul")]
    [InlineData("x\u202Ey")]
    public void ClassNames_ThatCouldEscapeOrConfuseTheFolderLayout_AreRefused(string name) =>
        Assert.Throws<StudioException>(() => StudioNames.Check(name));

    [Theory]
    [InlineData("breaker box", "breaker box")]
    [InlineData(" sump-pump ", "sump-pump")]
    [InlineData("Mila 🐈", "Mila 🐈")]
    public void ClassNames_People_Use_AreKept(string name, string expected) => Assert.Equal(expected, StudioNames.Check(name));

    [Fact]
    public void StudioFolders_AreCatalogedWithoutALabel()
    {
        Assert.Equal(new Placement(null, Split.Unassigned, null), FolderLayout.Place("_unlabelled/a.png", false));
        Assert.Equal(new Placement(null, Split.Unassigned, null), FolderLayout.Place("_excluded/cat/a.png", false));
        Assert.Equal("cat", FolderLayout.Place("cat/a.png", false).Label);
    }

    [Fact]
    public async Task CreateProject_AddClass_ListsIt_AndRefusesDuplicatesAndUnknowns()
    {
        using var kit = new StudioTestKit("cat");
        Assert.Equal(["home"], kit.Store.List().Select(p => p.Name));
        Assert.Equal("generated", kit.Project.Backbone);
        Assert.True(Directory.Exists(Path.Combine(kit.Project.DataDir, "cat")));
        Assert.Equal(StudioProblem.Conflict, (await Assert.ThrowsAsync<StudioException>(() => ProjectClasses.AddAsync(kit.Project, "cat"))).Problem);
        Assert.Equal(StudioProblem.Conflict, Assert.Throws<StudioException>(() => kit.Store.Create("home")).Problem);
        Assert.Equal(StudioProblem.NotFound, Assert.Throws<StudioException>(() => kit.Store.Open("nope")).Problem);
        Assert.Throws<StudioException>(() => kit.Store.Open("../etc"));
        Assert.Equal(["cat"], ProjectClasses.List(kit.Project).Select(c => c.Name));
    }

    [Fact]
    public async Task RenameClass_MovesTheFolder_KeepsLabelsSplitsAndCachedEmbeddings()
    {
        using var kit = new StudioTestKit("cat", "dog");
        for (int i = 0; i < 6; i++) await kit.UploadAsync(StudioTestKit.Png(i), i < 3 ? "cat" : "dog");
        kit.Project.Datasets.Split(new SplitOptions { Seed = 1 });
        var before = kit.Project.Datasets.Items().Where(i => i.Label == "cat").ToDictionary(i => i.Sha256!);
        Assert.Equal(3, before.Count);
        var backbone = BackboneResolver.Resolve("generated");
        var cat = ItemQuery.List(kit.Project, ItemView.Class, "cat");
        await Lookout.Core.Studio.Assist.InboxAssistant.EmbedAsync(kit.Project, cat);
        long cached;
        using (var cache = new EmbeddingCache(kit.Project.EmbeddingsPath)) cached = cache.Count(backbone.CacheKey, backbone.Spec.Fingerprint());
        Assert.Equal(3, cached);

        var renamed = await ProjectClasses.RenameAsync(kit.Project, "cat", "house cat");
        Assert.Equal(new ClassInfo("house cat", 3), renamed);
        Assert.False(Directory.Exists(Path.Combine(kit.Project.DataDir, "cat")));
        var after = kit.Project.Datasets.Items().Where(i => i.Label == "house cat").ToDictionary(i => i.Sha256!);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (sha, item) in after)
        {
            Assert.StartsWith("house cat/", item.Path);
            Assert.Equal(before[sha].Split, item.Split);
            Assert.Equal(before[sha].SplitOrigin, item.SplitOrigin);
        }
        // A rescan (what `lookout data scan` does) changes nothing, and the embeddings are still all cached.
        var scan = await kit.Project.Datasets.ScanAsync(kit.Project.DataDir);
        Assert.Equal((0, 0, 0), (scan.Added, scan.Updated, scan.Missing));
        var set = await new EmbeddingExtractor(backbone, new EmbeddingCache(kit.Project.EmbeddingsPath)).ExtractAsync(kit.Project.Datasets.Snapshot().Where(s => s.Label == "house cat").ToList());
        Assert.Equal(3, set.FromCache);
        kit.AssertConsistent();
        await Assert.ThrowsAsync<StudioException>(() => ProjectClasses.RenameAsync(kit.Project, "house cat", "dog"));
    }

    [Fact]
    public async Task AMoveCommittedButNotMade_IsFinishedOnTheNextOpen_NothingLost()
    {
        using var kit = new StudioTestKit("cat", "dog");
        await kit.UploadAsync(StudioTestKit.Png(1), "cat");
        var item = kit.Project.Datasets.Items().Single();
        var target = "dog/" + Path.GetFileName(item.Path);
        // Simulate a kill right after the catalog transaction: the rows and the journal say "moved", the file is not.
        using (var catalog = Catalog.Open(kit.Project.Workspace.CatalogPath))
            catalog.Write(w =>
            {
                catalog.Exec("UPDATE items SET path=$t, source=$t, label='dog' WHERE path=$p", ("$t", target), ("$p", item.Path));
                MoveJournal.Add(catalog, item.Path, target);
            });
        Assert.True(File.Exists(Path.Combine(kit.Project.DataDir, item.Path)));

        var classes = ProjectClasses.List(new ProjectStore(kit.Root).Open("home"));
        Assert.Equal(1, classes.Single(c => c.Name == "dog").Items);
        Assert.True(File.Exists(Path.Combine(kit.Project.DataDir, target)));
        Assert.False(File.Exists(Path.Combine(kit.Project.DataDir, item.Path)));
        kit.AssertConsistent();
    }

    [Fact]
    public async Task LabelExcludeRestore_MoveFilesAndKeepTheClass_AndTrainingSkipsExcluded()
    {
        using var kit = new StudioTestKit("cat", "dog");
        var a = await kit.UploadAsync(StudioTestKit.Png(1), null);
        var b = await kit.UploadAsync(StudioTestKit.Png(2), null);
        Assert.Equal(2, ItemQuery.List(kit.Project, ItemView.Inbox).Count);

        var changes = await ItemLabels.AssignAsync(kit.Project, [a.Ids[0], b.Ids[0]], "cat");
        Assert.All(changes, c => Assert.Null(c.Before));
        Assert.Empty(ItemQuery.List(kit.Project, ItemView.Inbox));
        Assert.Equal(2, kit.Project.Datasets.Snapshot().Count(s => s.Label == "cat"));

        await ItemLabels.ExcludeAsync(kit.Project, [a.Ids[0]], true, "blurry");
        Assert.Single(kit.Project.Datasets.Snapshot());
        var excluded = Assert.Single(ItemQuery.List(kit.Project, ItemView.Excluded));
        Assert.Equal(a.Ids[0], excluded.Id);
        Assert.StartsWith("_excluded/cat/", kit.Project.Datasets.Items().Single(i => i.Sha256 == a.Sha256).Path);

        var restored = await ItemLabels.ExcludeAsync(kit.Project, [a.Ids[0]], false);
        Assert.Equal("cat", restored.Single().Before);
        Assert.Equal(2, kit.Project.Datasets.Snapshot().Count(s => s.Label == "cat"));

        // Undo = assign the previous label back: the inbox again.
        await ItemLabels.AssignAsync(kit.Project, [b.Ids[0]], null);
        Assert.Equal(b.Ids[0], Assert.Single(ItemQuery.List(kit.Project, ItemView.Inbox)).Id);
        kit.AssertConsistent();
    }

    [Fact]
    public async Task TwoWritersAtOnce_LeaveEveryFileWhereTheCatalogSaysIt()
    {
        using var kit = new StudioTestKit("a", "b", "c");
        var ids = new List<long>();
        for (int i = 0; i < 12; i++) ids.AddRange((await kit.UploadAsync(StudioTestKit.Png(100 + i), null)).Ids);
        // Two "tabs" relabel overlapping items to different classes while a third uploads: no interleaving may break state.
        var random = new Random(3);
        var tasks = Enumerable.Range(0, 3).Select(t => Task.Run(async () =>
        {
            for (int round = 0; round < 8; round++)
            {
                var pick = ids.Where(_ => random.Next(2) == 0).ToList();
                if (pick.Count > 0) await ItemLabels.AssignAsync(kit.Project, pick, new[] { "a", "b", "c", null }[(t + round) % 4]);
            }
        })).Append(Task.Run(async () => { for (int i = 0; i < 4; i++) await kit.UploadAsync(StudioTestKit.Png(500 + i), "a"); })).ToList();
        await Task.WhenAll(tasks);
        kit.AssertConsistent();
        Assert.Equal(16, ItemQuery.List(kit.Project, ItemView.All).Count);
        var scan = await kit.Project.Datasets.ScanAsync(kit.Project.DataDir);
        Assert.Equal((0, 0), (scan.Added, scan.Missing));
    }
}

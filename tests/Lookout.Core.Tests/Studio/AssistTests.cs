using Lookout.Core.Studio;
using Lookout.Core.Studio.Assist;

namespace Lookout.Core.Tests.Studio;

public class AssistTests
{
    private static float[] Unit(params float[] v)
    {
        var n = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / n).ToArray();
    }

    [Fact]
    public void KCenterGreedy_PicksFarthestFromWhatIsCovered_SoOneOfEachClusterComesFirst()
    {
        // Three tight clusters; the labelled set already covers cluster A.
        var a = new[] { Unit(1, 0, 0), Unit(1, 0.05f, 0), Unit(1, 0, 0.05f) };
        var b = new[] { Unit(0, 1, 0), Unit(0.05f, 1, 0) };
        var c = new[] { Unit(0, 0, 1), Unit(0, 0.05f, 1) };
        var pool = a.Concat(b).Concat(c).ToList();
        var picks = KCenterGreedy.Order(pool, [Unit(1, 0.01f, 0)], 3);
        var first2 = picks.Take(2).Select(p => p.Index).ToHashSet();
        Assert.Single(first2, i => i is 3 or 4);
        Assert.Single(first2, i => i is 5 or 6);
        Assert.True(picks[0].Distance > 1 && picks[2].Distance < 0.2, string.Join(",", picks));
    }

    [Fact]
    public void ActiveOrder_ColdStartIsDiversity_WarmIsMarginThinnedByDiversity_EachWithAReason()
    {
        var s = (double margin) => new Suggestion("train1", "cat", 0.5 + margin / 2, "dog", margin, false);
        var pool = new List<PoolItem>
        {
            new(1, Unit(1, 0, 0), s(0.40)),
            new(2, Unit(0, 1, 0), s(0.02)),
            new(3, Unit(0.001f, 1, 0), s(0.01)),  // nearly the same picture as 2, and slightly more uncertain
            new(4, Unit(0, 0, 1), s(0.10)),
        };
        var warm = ActiveOrder.Order(pool, [], weakBecause: null);
        Assert.Equal([3, 4, 1, 2], warm.Items.Select(r => r.Id));
        Assert.Contains("margin 1%", warm.Items[0].Reason);
        Assert.Contains("nearly the same as #1", warm.Items[3].Reason);
        Assert.StartsWith("Uncertainty", warm.Strategy);

        var cold = ActiveOrder.Order(pool, [Unit(1, 0.02f, 0)], "there is no model yet");
        Assert.Contains("no model", cold.Strategy);
        // New kinds of picture first: the blue one and one of the two greens; the red (already labelled) and the
        // green twin come last.
        Assert.Equal(4, cold.Items[0].Id);
        Assert.Contains(cold.Items[1].Id, new long[] { 2, 3 });
        Assert.DoesNotContain(1L, cold.Items.Take(2).Select(r => r.Id));
        Assert.All(cold.Items, r => Assert.Contains("diversity", r.Reason));
        Assert.Equal(Enumerable.Range(1, 4), cold.Items.Select(r => r.Position));
    }

    [Fact]
    public void Weakness_NamesWhyTheModelIsNotTrustedYet()
    {
        var model = new ProjectModel("train2", "m.onnx", ["cat", "dog"]);
        Assert.Equal("there is no model yet", ActiveOrder.Weakness(null, new Dictionary<string, int> { ["cat"] = 50 }));
        Assert.Contains("does not know class 'bird'", ActiveOrder.Weakness(model, new Dictionary<string, int> { ["cat"] = 50, ["dog"] = 50, ["bird"] = 3 }));
        Assert.Contains("'dog' has only 4", ActiveOrder.Weakness(model, new Dictionary<string, int> { ["cat"] = 50, ["dog"] = 4 }));
        Assert.Null(ActiveOrder.Weakness(model, new Dictionary<string, int> { ["cat"] = 50, ["dog"] = 20 }));
    }

    [Fact]
    public void NearDuplicates_NeedBothHashAndEmbedding_AndKeepTheSharpest()
    {
        var items = new List<DuplicateCandidate>
        {
            new(1, 0xFF00FF00FF00FF00UL, Unit(1, 0, 0), 50),
            new(2, 0xFF00FF00FF00FF01UL, Unit(1, 0.02f, 0), 300),   // same shot, sharper
            new(3, 0xFF00FF00FF00FF03UL, Unit(0, 1, 0), 100),       // same hash, different content
            new(4, 0x00FF00FF00FF00FFUL, Unit(1, 0, 0), 10),        // same content direction, very different hash
            new(5, 0xFF0FFF00FF00FF00UL, null, 20),                  // no embedding: needs hash within 5 bits (4 from 1, 6 from 3)
        };
        var clusters = NearDuplicates.Find(items);
        var cluster = Assert.Single(clusters);
        Assert.Equal([1, 2, 5], cluster.Members.Order());
        Assert.Equal(2, cluster.Keep);
    }

    [Fact]
    public async Task Inbox_OrderAndDuplicates_RunOnRealEmbeddings()
    {
        using var kit = new StudioTestKit("red", "blue");
        await kit.UploadAsync(StudioTestKit.Solid(230, 20, 20), "red");
        await kit.UploadAsync(StudioTestKit.Solid(20, 20, 230), "blue");
        var inbox = new List<long>();
        foreach (var (r, g, b) in new[] { (220, 30, 30), (30, 200, 40), (30, 205, 42), (128, 128, 128) })
            inbox.AddRange((await kit.UploadAsync(StudioTestKit.Solid(r, g, b), null)).Ids);
        var order = await InboxAssistant.OrderAsync(kit.Project);
        Assert.Contains("no model", order.Strategy);
        Assert.Equal(inbox.Order(), order.Items.Select(i => i.Id).Order());
        Assert.NotEqual(inbox[0], order.Items[0].Id); // the red one is covered by the labelled red: not first

        var dups = await InboxAssistant.DuplicatesAsync(kit.Project, ItemView.Inbox, null);
        var cluster = Assert.Single(dups);
        Assert.Equal([inbox[1], inbox[2]], cluster.Members.Order());
    }
}

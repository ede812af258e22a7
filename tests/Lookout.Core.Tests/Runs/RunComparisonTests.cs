using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Runs;
using Lookout.Core.Training;

namespace Lookout.Core.Tests.Runs;

public class RunComparisonTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookout-compare-").FullName;

    [Fact]
    public void Compare_ReportsChangedOptions_DataHash_AndPerClassDeltas()
    {
        var store = new RunStore(_root);
        LabeledImage Item(string sha, string label) => new($"/d/{sha}.png", sha, label, Split.Train, sha);
        var a = Write(store.Create(), TrainOptions.Default, [Item("1", "cat"), Item("2", "dog")],
            [(0, [0.9f, 0.1f]), (0, [0.8f, 0.2f]), (1, [0.6f, 0.4f]), (1, [0.3f, 0.7f])]);
        var b = Write(store.Create(), TrainOptions.Default with { Hidden = 64, LearningRate = 0.01 }, [Item("1", "cat"), Item("3", "dog")],
            [(0, [0.9f, 0.1f]), (0, [0.8f, 0.2f]), (1, [0.2f, 0.8f]), (1, [0.3f, 0.7f])]);

        var c = RunComparer.Compare(a, b);

        Assert.False(c.SameDataset);
        Assert.True(c.SameBackbone);
        Assert.True(c.SameCode);
        Assert.Equal(["hidden", "learningRate"], c.Options.Select(o => o.Key));
        Assert.Equal(("0", "64"), (c.Options[0].A, c.Options[0].B));
        Assert.Equal(0.25, c.AccuracyDelta!.Value, 9);
        Assert.True(c.IntervalsOverlap); // 3/4 vs 4/4: not distinguishable
        var dog = c.PerClass.Single(p => p.Label == "dog");
        Assert.Equal(2, dog.SupportA);
        Assert.True(dog.Delta > 0.3);
    }

    private static RunFolder Write(RunFolder run, TrainOptions options, LabeledImage[] items, (int Label, float[] P)[] scored)
    {
        string[] labels = ["cat", "dog"];
        run.WriteJson(run.OptionsPath, options);
        run.WriteJson(run.ManifestPath, RunManifest.Create(run.Id, items, labels, "bb", "h1", 42));
        var report = ReportBuilder.Build(run.Id, "test", labels, scored.Select((s, i) => new ReportBuilder.Scored($"/t/{i}.png", s.Label, s.P)).ToList(), []);
        File.WriteAllText(run.EvalJsonPath, ReportJson.Render(report));
        return run;
    }

    public void Dispose() { try { Directory.Delete(_root, true); } catch (IOException) { } }
}

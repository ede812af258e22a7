using Lookout.Core.Evaluation;

namespace Lookout.Core.Tests.Evaluation;

public class ReportTests
{
    private static readonly string[] Labels = ["cat", "dog", "fox"];

    /// <summary>10 items: cats 4 (3 right, 1 as dog), dogs 4 (all right), foxes 2 (1 right, 1 as cat).</summary>
    private static EvaluationReport Sample()
    {
        var items = new List<ReportBuilder.Scored>();
        void Add(string name, int label, params float[] p) => items.Add(new ReportBuilder.Scored(name, label, p));
        Add("c1", 0, 0.8f, 0.1f, 0.1f); Add("c2", 0, 0.7f, 0.2f, 0.1f); Add("c3", 0, 0.6f, 0.3f, 0.1f); Add("c4", 0, 0.3f, 0.6f, 0.1f);
        Add("d1", 1, 0.1f, 0.8f, 0.1f); Add("d2", 1, 0.1f, 0.8f, 0.1f); Add("d3", 1, 0.2f, 0.7f, 0.1f); Add("d4", 1, 0.1f, 0.9f, 0.0f);
        Add("f1", 2, 0.1f, 0.1f, 0.8f); Add("f2", 2, 0.5f, 0.1f, 0.4f);
        return ReportBuilder.Build("m", "test", Labels, items, [new ItemError("bad.jpg", "corrupt")]);
    }

    [Fact]
    public void Metrics_MatchHandComputedValues()
    {
        var r = Sample();
        Assert.Equal(10, r.Count);
        Assert.Equal(8, r.Correct);
        Assert.Equal(0.8, r.Accuracy, 12);
        Assert.Equal(1, r.ConfusionCount("cat", "dog"));
        Assert.Equal(1, r.ConfusionCount("fox", "cat"));
        Assert.Equal(4, r.ConfusionCount("dog", "dog"));

        var cat = r.PerClass[0];
        Assert.Equal((4, 4, 3), (cat.Support, cat.Predicted, cat.TruePositives)); // predicted cat: c1 c2 c3 f2
        Assert.Equal(0.75, cat.Precision, 12);
        Assert.Equal(0.75, cat.Recall, 12);
        var dog = r.PerClass[1];
        Assert.Equal(0.8, dog.Precision, 12);   // 4 of 5 predicted dogs
        Assert.Equal(1.0, dog.Recall, 12);
        Assert.Equal(2 * 0.8 / 1.8, dog.F1, 12);
        Assert.Equal(1.0, r.PerClass[2].Precision, 12);
        Assert.Equal(0.5, r.PerClass[2].Recall, 12);

        // top-2: c4 (cat second), f2 (fox second) are both in the top 2 -> all 10.
        Assert.Equal(10, r.TopK.Single(k => k.K == 2).Correct);
        Assert.Equal(2, r.MostConfused.Count);
        Assert.Equal("c4", r.TopLosses[0].Path); // p(true) 0.3 is the lowest
        Assert.Single(r.Errors);
    }

    [Fact]
    public void TopLosses_AreSortedByTrueClassLoss()
    {
        var r = Sample();
        Assert.Equal(["c4", "f2", "c3"], r.TopLosses.Take(3).Select(t => t.Path));
        Assert.Equal(-Math.Log(0.3f), r.TopLosses[0].Loss, 6);
    }

    [Fact]
    public void Wilson_MatchesReferenceValues()
    {
        var i = ReportBuilder.Wilson(8, 10);      // reference: 0.4902, 0.9433
        Assert.Equal(0.4902, i.Low, 4);
        Assert.Equal(0.9433, i.High, 4);
        var all = ReportBuilder.Wilson(32, 32);   // 0.8928, 1
        Assert.Equal(0.8928, all.Low, 4);
        Assert.Equal(1.0, all.High, 12);
        Assert.Equal(new Interval(0, 1), ReportBuilder.Wilson(0, 0));
    }

    [Fact]
    public void Renderers_ShowTheNumbers_AndJsonRoundTrips()
    {
        var r = Sample();
        var md = ReportText.Markdown(r);
        Assert.Contains("**80.0%** (8/10), 95% CI [49.0%, 94.3%]", md);
        Assert.Contains("| fox | 2 | 100.0% |", md);
        Assert.Contains("| cat | 3 | 1 | 0 |", md);
        Assert.Contains("bad.jpg: corrupt", md);
        var table = ReportText.Table(r);
        Assert.Contains("accuracy 80.0% (8/10)", table);
        Assert.Contains("confused: cat -> dog x1", table);

        var back = ReportJson.Parse(ReportJson.Render(r));
        Assert.Equal(r.Accuracy, back.Accuracy);
        Assert.Equal(r.Confusion, back.Confusion);
        Assert.Equal(r.PerClass, back.PerClass);
        Assert.Equal(r.TopLosses, back.TopLosses);
    }

    [Fact]
    public void ConfusionPng_IsWritten()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-cm-").FullName;
        try
        {
            var path = Path.Combine(dir, "confusion.png");
            ConfusionMatrixPlot.SavePng(Sample(), path);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal("png", Lookout.Core.Imaging.ImageSniffer.Format(bytes));
            Assert.Equal((420, 420), Lookout.Core.Imaging.ImageLoader.ReadSize(path));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ATestSetLackingClasses_NamesThemBesideTheHeadline()
    {
        Assert.Empty(Sample().MissingClasses);
        Assert.Null(Sample().MissingClassesNote);
        var items = new List<ReportBuilder.Scored> { new("c1", 0, [0.8f, 0.1f, 0.1f]), new("c2", 0, [0.7f, 0.2f, 0.1f]) };
        var r = ReportBuilder.Build("m", "test", Labels, items, []);
        Assert.Equal(["dog", "fox"], r.MissingClasses);
        Assert.Contains("no images of dog, fox", r.MissingClassesNote);
        Assert.Contains("only 1 of the 3 classes", r.MissingClassesNote);
        Assert.Contains("warning: the test set has no images of dog, fox", ReportText.Table(r));
        Assert.Contains("**Warning:** the test set has no images of dog, fox", ReportText.Markdown(r));
        Assert.Contains("\"missingClasses\"", ReportJson.Render(r));
    }
}

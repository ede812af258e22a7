using System.Text.RegularExpressions;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Runs;
using Lookout.Core.Tests.TestData;
using Lookout.Core.Training;
using Xunit.Abstractions;
using Lookout.Core.Embeddings;
using Lookout.Core.Evaluation.Issues;
using Lookout.Core.Pipelines.Report;
using Lookout.Core.Pipelines.Train;

namespace Lookout.Core.Tests.Pipelines.Report;

public class RunReportTests(ITestOutputHelper output) : IDisposable
{
    private const string Evil = "<b>x</b>";
    private readonly string _work = Directory.CreateTempSubdirectory("lookout-report-").FullName;
    private readonly ShapesDataset _data = new(perClass: 24, size: 64);

    [Fact]
    public async Task Report_IsOneSelfContainedFile_WithEverySection_AndEscapedLabels()
    {
        // One class gets a label that would be markup if written raw.
        var items = _data.Items.Select(i => i.Label == "red-circle" ? i with { Label = Evil } : i).ToList();
        // Two mislabelled test squares: the model will "miss" them, so top losses and Grad-CAM have wrong answers to show.
        foreach (var square in items.Where(i => i.Label == "blue-square" && i.Split == Lookout.Core.Datasets.Split.Test).Take(2).ToList())
            items[items.IndexOf(square)] = square with { Label = "green-triangle" };
        var backbone = GeneratedBackbone.EnsureIn(Path.Combine(_work, "models"));
        var run = new RunStore(Path.Combine(_work, "runs")).Create();
        await new TrainingService().RunAsync(TrainOptions.Default with { Epochs = 30 }, items, backbone, run);
        var (embedded, _) = await EmbeddedItems.ExtractAsync(items, backbone, null);
        var issues = DataIssuesFinder.Analyze(embedded, new DataIssuesOptions { Folds = 3, Epochs = 10 });

        var (path, data) = await RunReport.WriteAsync(run, items, issues);
        var html = File.ReadAllText(path);
        foreach (var n in data.Notes) output.WriteLine("note: " + n);
        output.WriteLine($"{html.Length / 1024} KiB, {data.GradCams.Count} Grad-CAMs, {data.TopLosses.Count} top losses");

        Assert.Equal(run.ReportPath, path);
        foreach (var id in new[] { "dataset", "metrics", "confusion", "most-confused", "top-losses", "spot-checks", "preprocess", "curves", "issues", "gradcam", "unknown", "options" })
            Assert.Contains($"<section id=\"{id}\">", html);
        Assert.DoesNotContain(Evil, html);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", html);
        Assert.DoesNotMatch(new Regex("https?://", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("<script", html);
        // Every image is inline; the confusion matrix, curves and galleries are all there.
        var srcs = Regex.Matches(html, "src=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.All(srcs, s => Assert.StartsWith("data:image/", s));
        Assert.True(srcs.Count >= 1 + 2 + 4 * 3 + 2 * 2, $"{srcs.Count} images");
        Assert.Equal(4, data.SpotChecks.Count);
        Assert.NotNull(data.Thresholds);
        Assert.Contains(data.SuspectImages, s => s.Caption == "labelled green-triangle, looks like blue-square"); // the two relabelled squares
        // Grad-CAM overlays for the misclassified images, from the exported model itself.
        Assert.Contains(data.TopLosses, t => t.Flagged);
        Assert.NotEmpty(data.GradCams);
        Assert.All(data.GradCams, g => Assert.Equal("image/jpeg", g.Mime));
    }

    public void Dispose()
    {
        _data.Dispose();
        try { Directory.Delete(_work, true); } catch (IOException) { }
    }
}

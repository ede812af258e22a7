using System.Security.Cryptography;
using Lookout.Core.Datasets;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Tests.TestData;
using NetVips;
using Xunit.Abstractions;
using Lookout.Core.Embeddings;
using Lookout.Core.Evaluation.Issues;

namespace Lookout.Core.Tests.Evaluation.Issues;

public class DataIssuesTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lookout-issues-").FullName;
    private readonly ShapesDataset _data = new(perClass: 30, size: 64);

    [Fact]
    public async Task FindsTheMislabelledImage_TheLeakedCopy_AndTheOutlier()
    {
        var rng = new Random(99);
        var items = _data.Items.ToList();
        // A red circle filed under blue-square.
        var wrong = Add(items, "blue-square", "mislabelled.png", ShapesDataset.Draw("red-circle", 64, rng), Split.Train);
        // A train image copied into test with one pixel changed (a leaked near-duplicate, different file hash).
        var source = items.First(i => i.Label == "green-triangle" && i.Split == Split.Train);
        using (var img = Image.NewFromFile(source.Path))
        {
            var px = img.WriteToMemory<byte>();
            px[0] ^= 1;
            Add(items, "green-triangle", "leaked.png", px, Split.Test);
        }
        // Pure noise labelled red-circle.
        var noise = new byte[64 * 64 * 3];
        rng.NextBytes(noise);
        var odd = Add(items, "red-circle", "noise.png", noise, Split.Train);

        var backbone = GeneratedBackbone.EnsureIn(Path.Combine(_work, "models"));
        var (embedded, errors) = await EmbeddedItems.ExtractAsync(items, backbone, null);
        Assert.Empty(errors);
        var report = DataIssuesFinder.Analyze(embedded);
        foreach (var s in report.SuspectLabels.Take(5)) output.WriteLine($"suspect {Path.GetFileName(s.Path)} {s.Label}->{s.Suggested} margin {s.Margin:0.00}");
        foreach (var d in report.NearDuplicates.Take(3)) output.WriteLine($"dup {Path.GetFileName(d.PathA)} ~ {Path.GetFileName(d.PathB)} {d.Similarity:0.000}");
        foreach (var o in report.Outliers.Take(3)) output.WriteLine($"outlier {Path.GetFileName(o.Path)} z {o.RobustZ:0.0}");

        Assert.Equal(5, report.Folds);
        Assert.True(report.OutOfFoldAccuracy > 0.8, $"out-of-fold accuracy {report.OutOfFoldAccuracy:P1}");
        var rank = report.SuspectLabels.Select(s => s.Path).ToList().IndexOf(wrong.Path);
        Assert.InRange(rank, 0, 2);
        Assert.Equal("red-circle", report.SuspectLabels[rank].Suggested);
        var dup = Assert.Single(report.NearDuplicates, d => d.PathB.EndsWith("leaked.png"));
        Assert.Equal(source.Path, dup.PathA);
        Assert.False(dup.Identical);
        // The noise image (and the mislabelled circle, far from the squares) lead the outliers.
        Assert.Contains(odd.Path, report.Outliers.Take(2).Select(o => o.Path));

        var csv = DataIssuesCsv.Render(report).Split('\n');
        Assert.Equal(DataIssuesCsv.Header, csv[0]);
        Assert.Contains(csv, l => l.StartsWith("suspect_label,") && l.Contains("mislabelled.png") && l.Contains(",red-circle,"));
    }

    [Fact]
    public void ConfidentLearning_FlagsOnlyConfidentDisagreements()
    {
        int[] given = [0, 0, 0, 1, 1, 1];
        float[][] probs = [[0.9f, 0.1f], [0.8f, 0.2f], [0.1f, 0.9f], [0.2f, 0.8f], [0.3f, 0.7f], [0.55f, 0.45f]];
        var t = ConfidentLearning.Thresholds(given, probs, 2);
        Assert.Equal((0.9f + 0.8f + 0.1f) / 3, t[0], 5);
        var off = ConfidentLearning.OffDiagonal(given, probs, t);
        // Item 2 (labelled 0, P(1)=0.9 >= t1) is flagged; item 5 (P(0)=0.55 < t0=0.6) is not confident enough.
        var only = Assert.Single(off);
        Assert.Equal((2, 1), (only.Index, only.Suggested));
        Assert.Equal(0.8f, only.Margin, 5);
    }

    [Fact]
    public void Csv_QuotesAndDefusesFormulas()
    {
        Assert.Equal("\"a,b\"", DataIssuesCsv.Q("a,b"));
        Assert.Equal("\"say \"\"hi\"\"\"", DataIssuesCsv.Q("say \"hi\""));
        Assert.Equal("'=cmd()", DataIssuesCsv.Q("=cmd()"));
    }

    private LabeledImage Add(List<LabeledImage> items, string label, string name, byte[] rgb, Split split)
    {
        var path = Path.Combine(_data.Root, label, name);
        ShapesDataset.WritePng(path, rgb, 64);
        var sha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();
        var item = new LabeledImage(path, sha, label, split, sha);
        items.Add(item);
        return item;
    }

    public void Dispose()
    {
        _data.Dispose();
        try { Directory.Delete(_work, true); } catch (IOException) { }
    }
}

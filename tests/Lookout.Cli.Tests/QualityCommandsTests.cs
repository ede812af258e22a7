using System.Text.Json;
using System.Text.RegularExpressions;
using Lookout.Core.Datasets.Synthetic;

namespace Lookout.Cli.Tests;

/// <summary>
/// Two runs on a generated shapes folder whose circle class has a markup-like name, trained with the fast generated
/// backbone; shared by the "see why" verbs: data issues, data preview, report, eval --holdout-classes, runs compare.
/// </summary>
public sealed class TwoRunsFixture : IDisposable
{
    public const string OddLabel = "<i>circle&co";
    public string Root { get; } = Directory.CreateTempSubdirectory("lookout-cli-quality").FullName;
    public string DataDir => Path.Combine(Root, "shapes");

    public TwoRunsFixture()
    {
        ShapesDatasetGenerator.Generate(DataDir, new ShapesOptions { PerClass = 30, Seed = 11 });
        Directory.Move(Path.Combine(DataDir, "circle"), Path.Combine(DataDir, OddLabel));
        Train();
        Train("--hidden", "32");
    }

    private void Train(params string[] extra)
    {
        var r = CliRunner.Run(Root, ["train", DataDir, "--backbone", "generated", "--json", "--quiet", .. extra]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"train failed ({r.ExitCode}): {r.StdErr}");
    }

    public CliResult Run(params string[] args) => CliRunner.Run(Root, [.. args, "--workspace", Path.Combine(Root, ".lookout")]);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public class QualityCommandsTests(TwoRunsFixture fx) : IClassFixture<TwoRunsFixture>
{
    [Fact]
    public void DataIssues_WritesCsvAndJson()
    {
        var r = fx.Run("data", "issues", fx.DataDir, "--backbone", "generated", "--folds", "3", "--json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal(3, json.GetProperty("folds").GetInt32());
        Assert.Equal(JsonValueKind.Array, json.GetProperty("suspectLabels").ValueKind);
        Assert.StartsWith("kind,rank,path", File.ReadAllLines(Path.Combine(fx.Root, ".lookout", "issues.csv"))[0]);
        Assert.True(File.Exists(Path.Combine(fx.Root, ".lookout", "issues.json")));
    }

    [Fact]
    public void DataPreview_Augment_WritesAPng()
    {
        var png = Path.Combine(fx.Root, "grid.png");
        var r = fx.Run("data", "preview", fx.DataDir, "--backbone", "generated", "--augment", "--per-label", "2", "--out", png, "--json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png)[..4]);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal(4, json.GetProperty("rows").GetArrayLength());
        Assert.Equal(2 * 4, json.GetProperty("columns").GetInt32());
    }

    [Fact]
    public void Report_IsSelfContained_AndEscapesLabels()
    {
        var r = fx.Run("report", "train1", "--json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var path = JsonDocument.Parse(r.StdOut).RootElement.GetProperty("report").GetString()!;
        var html = File.ReadAllText(path);
        Assert.Contains("<section id=\"confusion\">", html);
        Assert.Contains("<section id=\"spot-checks\">", html);
        Assert.DoesNotContain(TwoRunsFixture.OddLabel, html);
        Assert.Contains("&lt;i&gt;circle&amp;co", html);
        Assert.DoesNotMatch(new Regex("https?://"), html);
        Assert.Contains("src=\"data:image/png;base64,", html);
    }

    [Fact]
    public void EvalHoldout_ReportsFalseAcceptsOnTheUnseenClass()
    {
        var r = fx.Run("eval", "train1", "--holdout-classes", "stripes", "--json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal(30, json.GetProperty("unknownCount").GetInt32());
        Assert.Equal(3, json.GetProperty("knownLabels").GetArrayLength());
        Assert.InRange(json.GetProperty("falseAcceptRate").GetDouble(), 0, 1);
    }

    [Fact]
    public void EvalHoldout_UnknownClass_IsAUserError()
    {
        var r = fx.Run("eval", "train1", "--holdout-classes", "no-such-class", "--quiet");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no-such-class", r.StdErr);
    }

    [Fact]
    public void RunsCompare_ShowsTheChangedOption_AndTheSameData()
    {
        var r = fx.Run("runs", "compare", "train1", "train2", "--json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.True(json.GetProperty("sameDataset").GetBoolean());
        var keys = json.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("key").GetString()).ToList();
        Assert.Equal(["hidden"], keys);
        Assert.Equal(JsonValueKind.Number, json.GetProperty("a").GetProperty("testAccuracy").ValueKind);
    }

    [Fact]
    public void Classify_SaysWhetherTheAnswerIsUnknown()
    {
        var image = Directory.GetFiles(Path.Combine(fx.DataDir, "square"))[0];
        var r = fx.Run("classify", "train1", image, "--json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var first = JsonDocument.Parse(r.StdOut).RootElement[0];
        // The model is calibrated, so every answer carries the decision; the label is the top class or "unknown".
        bool unknown = first.GetProperty("unknown").GetBoolean();
        var top = first.GetProperty("predictions")[0].GetProperty("class").GetString();
        Assert.Equal(unknown ? "unknown" : top, first.GetProperty("label").GetString());
    }

    [Fact]
    public void EvalRobustness_WritesDataAndPlot_AndTheReportShowsIt()
    {
        var r = fx.Run("eval", "train2", "--robustness", "--json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.InRange(json.GetProperty("evaluation").GetProperty("accuracy").GetDouble(), 0.0, 1.0);
        var curves = json.GetProperty("robustness").GetProperty("curves");
        Assert.Equal(6, curves.GetArrayLength());
        Assert.Equal("rotation", curves[5].GetProperty("corruption").GetString());
        var runDir = Path.Combine(fx.Root, ".lookout", "runs", "train2");
        Assert.True(File.Exists(Path.Combine(runDir, "robustness.json")));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(runDir, "robustness.png"))[..4]);
        var report = fx.Run("report", "train2", "--json", "--quiet");
        Assert.True(report.ExitCode == 0, report.StdErr);
        var html = File.ReadAllText(JsonDocument.Parse(report.StdOut).RootElement.GetProperty("report").GetString()!);
        Assert.Contains("<section id=\"robustness\">", html);
    }
}

/// <summary>A folder that is training data only, small images, the compact CNN forced on: how the run validates, and the same one-file model.</summary>
public sealed class TrainOnlyFromScratchTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookout-cli-scratch").FullName;

    [Fact]
    public void TrainOnly_FromScratch_SaysHowItValidates_AndExportsAModelThatClassifies()
    {
        var data = Path.Combine(_root, "shapes");
        ShapesDatasetGenerator.Generate(data, new ShapesOptions { PerClass = 16, Size = 24, Seed = 5 });
        var r = CliRunner.Run(_root, "train", data, "--train-only", "--from-scratch", "on", "--scratch-epochs", "2", "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("training-only data", r.StdErr);
        Assert.Contains("training a compact CNN from scratch at 24x24", r.StdErr);
        var json = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.False(json.TryGetProperty("test", out var test) && test.ValueKind != JsonValueKind.Null, "a training-only folder has no test split");
        var model = json.GetProperty("model").GetString()!;
        var image = Directory.EnumerateFiles(data, "*.png", SearchOption.AllDirectories).First();
        var c = CliRunner.Run(_root, "classify", model, image, "--json");
        Assert.True(c.ExitCode == 0, c.StdErr);
        Assert.Contains("\"class\"", c.StdOut);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}

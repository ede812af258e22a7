using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;

namespace Lookout.Cli.Tests;

/// <summary>
/// The spine through the real CLI: a generated shapes folder -> train (scan, split, embed, fit, export, evaluate)
/// -> classify/eval/runs/data stats, with JSON on stdout and errors as non-zero exits. One trained run is shared.
/// </summary>
public sealed class TrainedWorkspaceFixture : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("lookout-cli").FullName;
    public string DataDir => Path.Combine(Root, "shapes");
    public string Workspace => Path.Combine(Root, ".lookout");
    public JsonElement Train { get; }

    public TrainedWorkspaceFixture()
    {
        ShapesDatasetGenerator.Generate(DataDir, new ShapesOptions { PerClass = 60, Seed = 7 });
        // One broken file among the good ones: listed and skipped, never fatal.
        File.WriteAllText(Path.Combine(DataDir, "circle", "broken.png"), "not a png");
        var r = CliRunner.Run(Root, "train", DataDir, "--json", "--quiet"); // the default, pretrained backbone
        if (r.ExitCode != 0) throw new InvalidOperationException($"train failed ({r.ExitCode}): {r.StdErr}");
        Train = JsonDocument.Parse(r.StdOut).RootElement.Clone();
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>One trained workspace shared by every CLI test class that needs a model (training once keeps the suite fast).</summary>
[CollectionDefinition(Name)]
public sealed class TrainedWorkspaceCollection : ICollectionFixture<TrainedWorkspaceFixture>
{
    public const string Name = "trained workspace";
}

[Collection(TrainedWorkspaceCollection.Name)]
public class TrainClassifyEndToEndTests(TrainedWorkspaceFixture ws)
{
    [Fact]
    public void Train_ReachesAccuracyFarAboveChance_OnHeldOutTest()
    {
        var test = ws.Train.GetProperty("test");
        Assert.True(test.GetProperty("count").GetInt32() >= 16);
        // Colours and backgrounds are random per image, so only shape separates the classes (chance 0.25).
        Assert.True(test.GetProperty("accuracy").GetDouble() >= 0.6, $"test accuracy {test.GetProperty("accuracy")} (chance 0.25)");
        Assert.True(File.Exists(ws.Train.GetProperty("model").GetString()));
        // The run folder is complete: config, manifest, metrics as TSV, TensorBoard events and PNG curves, evaluation.
        var runDir = ws.Train.GetProperty("runDir").GetString()!;
        foreach (var f in new[] { "options.json", "manifest.json", "metrics.tsv", "log.txt", "eval.json", "eval.md", "model.onnx" })
            Assert.True(File.Exists(Path.Combine(runDir, f)), $"run folder lacks {f}");
        Assert.Single(Directory.GetFiles(runDir, "events.out.tfevents.*"));
    }

    [Fact]
    public void Classify_Json_GivesSortedProbabilities_AndTheRightShape()
    {
        var model = ws.Train.GetProperty("model").GetString()!;
        var image = Path.Combine(ws.DataDir, "square", "square-0001.png");
        var r = CliRunner.Run(ws.Root, "classify", model, image, "--top", "3", "--json");
        Assert.Equal(0, r.ExitCode);
        var result = JsonDocument.Parse(r.StdOut).RootElement[0];
        var preds = result.GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(3, preds.Count);
        var scores = preds.Select(p => p.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.All(scores, s => Assert.InRange(s, 0, 1));
    }

    [Fact]
    public void Classify_ByRunId_AndFolder_ReportsBadFilesWithoutLosingGoodOnes()
    {
        var run = ws.Train.GetProperty("run").GetString()!;
        var r = CliRunner.Run(ws.Root, "classify", run, Path.Combine(ws.DataDir, "circle"), "--json", "--workspace", ws.Workspace);
        Assert.Equal(3, r.ExitCode); // one unreadable file => "some items failed", every other image still answered
        var results = JsonDocument.Parse(r.StdOut).RootElement.EnumerateArray().ToList();
        Assert.Equal(61, results.Count);
        var broken = Assert.Single(results, x => x.TryGetProperty("error", out _));
        Assert.EndsWith("broken.png", broken.GetProperty("file").GetString());
        Assert.Equal(60, results.Count(x => x.GetProperty("predictions").GetArrayLength() > 0));
    }

    [Fact]
    public void Eval_And_RunsList_AndStats_Work_OnTheWorkspace()
    {
        var run = ws.Train.GetProperty("run").GetString()!;
        var eval = CliRunner.Run(ws.Root, "eval", run, "--split", "val", "--json", "--workspace", ws.Workspace);
        Assert.Equal(0, eval.ExitCode);
        var report = JsonDocument.Parse(eval.StdOut).RootElement;
        Assert.True(report.GetProperty("count").GetInt32() > 0);
        Assert.Equal(4, report.GetProperty("perClass").GetArrayLength());
        Assert.Empty(report.GetProperty("errors").EnumerateArray()); // every val image was scored

        var runs = CliRunner.Run(ws.Root, "runs", "list", "--json", "--workspace", ws.Workspace);
        Assert.Equal(0, runs.ExitCode);
        Assert.Contains(JsonDocument.Parse(runs.StdOut).RootElement.EnumerateArray(), x => x.GetProperty("id").GetString() == run);

        var stats = CliRunner.Run(ws.Root, "data", "stats", ws.DataDir, "--json");
        Assert.Equal(0, stats.ExitCode);
        var s = JsonDocument.Parse(stats.StdOut).RootElement;
        Assert.Equal(240, s.GetProperty("usableItems").GetInt32());
        Assert.Single(s.GetProperty("unreadable").EnumerateArray());
    }

    [Fact]
    public void Errors_AreOneLine_OnStderr_WithNonZeroExit()
    {
        var missingModel = CliRunner.Run(ws.Root, "classify", Path.Combine(ws.Root, "nope.onnx"), ws.DataDir);
        Assert.Equal(1, missingModel.ExitCode);
        Assert.Contains("model file not found", missingModel.StdErr);
        Assert.DoesNotContain("   at ", missingModel.StdErr); // no stack trace

        var unknownRun = CliRunner.Run(ws.Root, "eval", "train999", "--workspace", ws.Workspace);
        Assert.Equal(1, unknownRun.ExitCode);
        Assert.Contains("no run 'train999'", unknownRun.StdErr);

        var empty = Directory.CreateDirectory(Path.Combine(ws.Root, "empty")).FullName;
        var noData = CliRunner.Run(ws.Root, "train", empty, "--backbone", "generated", "--workspace", Path.Combine(ws.Root, "ws-empty"));
        Assert.Equal(1, noData.ExitCode);
        Assert.Contains("no usable images", noData.StdErr);
    }

    [Fact]
    public void Explain_WritesAGradCamOverlay_ForThePredictedClass()
    {
        var model = ws.Train.GetProperty("model").GetString()!;
        var image = Path.Combine(ws.DataDir, "triangle", "triangle-0002.png");
        var overlay = Path.Combine(ws.Root, "explain", "t.png");
        var r = CliRunner.Run(ws.Root, "explain", model, image, "--out", overlay, "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var doc = JsonDocument.Parse(r.StdOut).RootElement;
        Assert.Equal(doc.GetProperty("predicted").GetString(), doc.GetProperty("class").GetString());
        using var png = NetVips.Image.NewFromFile(overlay);
        Assert.Equal((224, 224), (png.Width, png.Height));

        var unknown = CliRunner.Run(ws.Root, "explain", model, image, "--class", "hexagon");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("unknown class 'hexagon'", unknown.StdErr);
    }

    [Fact]
    public void FineTune_Exports_AndResumeOfAFinishedRunKeepsItsModel()
    {
        var workspace = Path.Combine(ws.Root, "ws-ft");
        var r = CliRunner.Run(ws.Root, "train", ws.DataDir, "--fine-tune", "--ft-epochs", "1", "--workspace", workspace, "--json", "--quiet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        var result = JsonDocument.Parse(r.StdOut).RootElement;
        var run = result.GetProperty("run").GetString()!;
        var runDir = result.GetProperty("runDir").GetString()!;
        Assert.True(File.Exists(Path.Combine(runDir, "checkpoints", "finetune.ckpt")));
        Assert.True(File.Exists(Path.Combine(runDir, "backbone.onnx")));
        Assert.True(result.GetProperty("test").GetProperty("accuracy").GetDouble() > 0.5);

        var resumed = CliRunner.Run(ws.Root, "train", "--resume", run, "--workspace", workspace, "--json", "--quiet");
        Assert.True(resumed.ExitCode == 0, resumed.StdErr);
        Assert.Equal(result.GetProperty("test").GetProperty("accuracy").GetDouble(),
            JsonDocument.Parse(resumed.StdOut).RootElement.GetProperty("test").GetProperty("accuracy").GetDouble());

        var notFineTuned = CliRunner.Run(ws.Root, "train", "--resume", ws.Train.GetProperty("run").GetString()!, "--workspace", ws.Workspace);
        Assert.Equal(1, notFineTuned.ExitCode);
        Assert.Contains("not a fine-tuning run", notFineTuned.StdErr);
    }
}

using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;

namespace Lookout.Cli.Tests;

/// <summary>
/// The detector verbs as a user runs them: <c>data import</c> (exit 3 with each bad annotation listed), <c>train</c>
/// on a YOLO folder (detected as boxes, so a detector run), <c>detect --model detect1</c> with the user's class names,
/// and <c>train --resume</c> of the finished run. Tiny settings: the wiring is under test here; the learning itself is
/// asserted in Core's DetectTrainPipelineTests.
/// </summary>
public sealed class DetectorTrainingCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-cli-detect-").FullName;

    [Fact]
    public void ImportTrainDetectResume_FromTheCommandLine()
    {
        var data = Path.Combine(_dir, "boxes");
        BoxScenesGenerator.Generate(data, new BoxScenesOptions { Scenes = 8, FramesPerScene = 2, Width = 160, Height = 120, Seed = 2 });

        var import = CliRunner.Run(_dir, "data", "import", data, "--json");
        Assert.True(import.ExitCode == 0, import.StdErr);
        using (var doc = JsonDocument.Parse(import.StdOut))
        {
            Assert.Equal("yolo", doc.RootElement.GetProperty("format").GetString());
            Assert.Equal(["disc", "square", "triangle"], doc.RootElement.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(16, doc.RootElement.GetProperty("images").GetInt32());
        }

        File.WriteAllBytes(Path.Combine(data, "walk.mp4"), new byte[64]); // a video among the boxes: said, not silently skipped
        var unicorn = CliRunner.Run(_dir, "train", data, "--start-from", "disc=unicorn");
        Assert.Equal(1, unicorn.ExitCode);
        Assert.Contains("unknown class 'unicorn'", unicorn.StdErr);
        var train = CliRunner.Run(_dir, "train", data, "--epochs", "1", "--input-size", "128", "--start-from", "disc=frisbee", "--json");
        Assert.True(train.ExitCode == 0, train.StdErr);
        using (var doc = JsonDocument.Parse(train.StdOut))
        {
            Assert.Equal("detect", doc.RootElement.GetProperty("task").GetString());
            Assert.Equal("detect1", doc.RootElement.GetProperty("run").GetString());
            Assert.True(File.Exists(doc.RootElement.GetProperty("model").GetString()));
            Assert.Contains("too few boxes", train.StdErr);
            Assert.Contains("1 video file is not read", train.StdErr);
            Assert.Contains("'disc' starts from COCO's 'frisbee'", train.StdErr);
        }

        var image = Directory.EnumerateFiles(Path.Combine(data, "images")).Order().First();
        var detect = CliRunner.Run(_dir, "detect", image, "--model", Path.Combine(_dir, ".lookout", "runs", "detect1"), "--classes", "disc,square", "--min-score", "0.01", "--json");
        Assert.True(detect.ExitCode == 0, detect.StdErr);
        using (var doc = JsonDocument.Parse(detect.StdOut))
        {
            Assert.Equal("detect1", doc.RootElement.GetProperty("model").GetString());
            var labels = doc.RootElement.GetProperty("results")[0].GetProperty("detections").EnumerateArray().Select(d => d.GetProperty("label").GetString()).ToList();
            Assert.All(labels, l => Assert.Contains(l, new[] { "disc", "square" }));
        }
        var unknownClass = CliRunner.Run(_dir, "detect", image, "--model", Path.Combine(_dir, ".lookout", "runs", "detect1"), "--classes", "person");
        Assert.Equal(1, unknownClass.ExitCode);
        Assert.Contains("unknown class 'person'", unknownClass.StdErr);
        Assert.Contains("disc", unknownClass.StdErr); // the detector's own classes are listed

        // Count and score with the user's own detector, and the run is listed as a detector run.
        var recipe = Path.Combine(_dir, "shapes.yaml");
        File.WriteAllText(recipe, "min_score: 0.01\npoints:\n  disc: 1 each up to 2\n  square: 3\nverdicts:\n  - {min: 1, say: shapes}\n  - {say: none}\n");
        var score = CliRunner.Run(_dir, "score", recipe, image, "--model", "detect1", "--json");
        Assert.True(score.ExitCode == 0, score.StdErr);
        using (var doc = JsonDocument.Parse(score.StdOut))
        {
            Assert.Equal("detect1", doc.RootElement.GetProperty("model").GetString());
            var result = doc.RootElement.GetProperty("results")[0];
            var lines = result.GetProperty("lines").EnumerateArray().ToList();
            Assert.Equal(["disc", "square"], lines.Select(l => l.GetProperty("thing").GetString()));
            Assert.True(lines[0].GetProperty("counted").GetInt32() <= 2);
            double total = lines.Sum(l => l.GetProperty("points").GetDouble());
            Assert.Equal(total, result.GetProperty("total").GetDouble());
            Assert.Equal(total >= 1 ? "shapes" : "none", result.GetProperty("verdict").GetString());
        }
        var badRecipe = CliRunner.Run(_dir, "score", recipe, image, "--model", "nanodet");
        Assert.Equal(1, badRecipe.ExitCode);
        Assert.Contains("'disc' matches no class of detector nanodet", badRecipe.StdErr);
        var runs = CliRunner.Run(_dir, "runs", "list", "--json");
        Assert.True(runs.ExitCode == 0, runs.StdErr);
        using (var doc = JsonDocument.Parse(runs.StdOut))
            Assert.Contains(doc.RootElement.EnumerateArray(), r => r.GetProperty("id").GetString() == "detect1" && r.GetProperty("task").GetString() == "detect" && r.GetProperty("classes").GetInt32() == 3);

        // A finished run resumes to the same end: every epoch is in its checkpoint.
        var resume = CliRunner.Run(_dir, "train", "--resume", "detect1", "--json");
        Assert.True(resume.ExitCode == 0, resume.StdErr);

        // A bad annotation is listed with its file, and the exit code says some items failed.
        File.AppendAllText(Path.Combine(data, "labels", "scene000_frame_0.txt"), "\n9 0.5 0.5 0.1 0.1\n");
        var bad = CliRunner.Run(_dir, "data", "import", data);
        Assert.Equal(3, bad.ExitCode);
        Assert.Contains("scene000_frame_0.txt", bad.StdErr);
        Assert.Contains("unknown class 9", bad.StdErr);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

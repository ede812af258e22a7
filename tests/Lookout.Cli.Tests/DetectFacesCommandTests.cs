using System.Text.Json;
using Lookout.Core.Models.Catalog;

namespace Lookout.Cli.Tests;

/// <summary>detect and faces through the real CLI process, on the cached sample photos (scripts/fetch-samples.sh).</summary>
public sealed class DetectFacesCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-cli-detect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Sample(int n)
    {
        var path = Path.Combine(LookoutCache.Root(), "samples", "face-api-1.7.15", $"sample{n}.jpg");
        Assert.True(File.Exists(path), $"missing {path}: run scripts/setup.sh");
        return path;
    }

    [Fact]
    public void Detect_Json_DefaultsToLicenceCleanNanodet_AndAnnotates()
    {
        var annotated = Path.Combine(_dir, "out", "a.jpg");
        var r = CliRunner.Run(_dir, "detect", Sample(3), "--classes", "person,cup", "--json", "--annotate", annotated);
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var doc = JsonDocument.Parse(r.StdOut);
        var root = doc.RootElement;
        Assert.Equal("nanodet", root.GetProperty("model").GetString());
        Assert.True(root.GetProperty("licenceClean").GetBoolean());
        var result = Assert.Single(root.GetProperty("results").EnumerateArray());
        Assert.Equal(1920, result.GetProperty("width").GetInt32());
        var labels = result.GetProperty("detections").EnumerateArray().Select(d => d.GetProperty("label").GetString()).ToList();
        Assert.Contains("person", labels);
        Assert.All(labels, l => Assert.Contains(l, new[] { "person", "cup" }));
        Assert.All(result.GetProperty("detections").EnumerateArray(), d => Assert.InRange(d.GetProperty("score").GetSingle(), 0.4f, 1f));
        Assert.Equal(annotated, result.GetProperty("annotated").GetString());
        using var img = NetVips.Image.NewFromFile(annotated);
        Assert.Equal((1920, 1350), (img.Width, img.Height));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(annotated)!, "*.tmp"));
    }

    [Fact]
    public void Detect_Centernet_WarnsAboutItsLicence_BadInputsFailWithOneLine()
    {
        var r = CliRunner.Run(_dir, "detect", Sample(1), "--model", "centernet", "--min-score", "0.3");
        Assert.True(r.ExitCode == 0, r.StdErr);
        Assert.Contains("licence none", r.StdErr);
        Assert.Contains("person", r.StdOut);

        var badClass = CliRunner.Run(_dir, "detect", Sample(1), "--classes", "persn");
        Assert.Equal(1, badClass.ExitCode);
        Assert.Contains("unknown class 'persn'", badClass.StdErr);
        Assert.DoesNotContain("   at ", badClass.StdErr);

        var badScore = CliRunner.Run(_dir, "detect", Sample(1), "--min-score", "3");
        Assert.Equal(1, badScore.ExitCode);
        Assert.Contains("min score", badScore.StdErr);

        File.WriteAllText(Path.Combine(_dir, "broken.jpg"), "nope");
        var broken = CliRunner.Run(_dir, "detect", Path.Combine(_dir, "broken.jpg"), "--json");
        Assert.Equal(1, broken.ExitCode);
        using var doc = JsonDocument.Parse(broken.StdOut);
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("results")[0].GetProperty("error").GetString()));
    }

    [Fact]
    public void Faces_EnrollListRecognizeRemove_UnknownStrangers()
    {
        var ws = Path.Combine(_dir, "ws");
        var none = CliRunner.Run(_dir, "faces", "list", "--workspace", ws);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("faces enroll", none.StdErr);

        var enroll = CliRunner.Run(_dir, "faces", "enroll", "alice", Sample(3), "--workspace", ws, "--json");
        Assert.True(enroll.ExitCode == 0, enroll.StdErr);
        using (var doc = JsonDocument.Parse(enroll.StdOut)) Assert.Equal(1, doc.RootElement.GetProperty("enrolled").GetInt32());
        Assert.True(File.Exists(Path.Combine(ws, "catalog.db")));

        var list = CliRunner.Run(_dir, "faces", "list", "--workspace", ws, "--json");
        using (var doc = JsonDocument.Parse(list.StdOut))
        {
            var entry = Assert.Single(doc.RootElement.EnumerateArray());
            Assert.Equal(("alice", 1), (entry.GetProperty("name").GetString(), entry.GetProperty("faces").GetInt32()));
        }

        var same = CliRunner.Run(_dir, "faces", "recognize", Sample(3), "--workspace", ws, "--json");
        Assert.True(same.ExitCode == 0, same.StdErr);
        using (var doc = JsonDocument.Parse(same.StdOut))
        {
            var names = doc.RootElement.GetProperty("faces").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
            Assert.Equal(1, names.Count(n => n == "alice"));
            Assert.Equal(2, names.Count(n => n == "unknown"));
            Assert.Equal(0.5, doc.RootElement.GetProperty("threshold").GetDouble(), 6);
        }

        var strangers = CliRunner.Run(_dir, "faces", "recognize", Sample(6), "--workspace", ws, "--json");
        using (var doc = JsonDocument.Parse(strangers.StdOut))
        {
            var faces = doc.RootElement.GetProperty("faces").EnumerateArray().ToList();
            Assert.NotEmpty(faces);
            Assert.All(faces, f => Assert.Equal("unknown", f.GetProperty("name").GetString()));
            Assert.All(faces, f => Assert.Equal("alice", f.GetProperty("nearest").GetString()));
        }

        var reserved = CliRunner.Run(_dir, "faces", "enroll", "unknown", Sample(3), "--workspace", ws);
        Assert.Equal(1, reserved.ExitCode);
        Assert.Contains("reserved", reserved.StdErr);

        Assert.Equal(0, CliRunner.Run(_dir, "faces", "remove", "alice", "--workspace", ws).ExitCode);
        var gone = CliRunner.Run(_dir, "faces", "remove", "alice", "--workspace", ws);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("no enrolled faces named 'alice'", gone.StdErr);
    }

    [Fact]
    public void Faces_Calibrate_OnPersonFolders_SavesAThresholdRecognizeUses()
    {
        // Two "people": each folder holds one photo and its mirror image (the only same-person pairs one can make
        // from freely licensed photos here); the strangers are the other faces of those photos' largest subjects.
        var data = Path.Combine(_dir, "people");
        foreach (var (who, n) in new[] { ("p3", 3), ("p6", 6), ("p1", 1) })
        {
            Directory.CreateDirectory(Path.Combine(data, who));
            File.Copy(Sample(n), Path.Combine(data, who, "a.jpg"));
            using var img = NetVips.Image.NewFromFile(Sample(n));
            using var flipped = img.Flip(NetVips.Enums.Direction.Horizontal);
            flipped.WriteToFile(Path.Combine(data, who, "b.jpg"));
        }
        var ws = Path.Combine(_dir, "ws");
        var r = CliRunner.Run(_dir, "faces", "calibrate", data, "--far", "0", "--save", "--workspace", ws, "--json");
        Assert.True(r.ExitCode == 0, r.StdErr);
        float threshold;
        using (var doc = JsonDocument.Parse(r.StdOut))
        {
            var root = doc.RootElement;
            Assert.Equal((3, 12), (root.GetProperty("samePairs").GetInt32(), root.GetProperty("differentPairs").GetInt32()));
            Assert.Equal(0, root.GetProperty("far").GetDouble());
            Assert.Equal(0, root.GetProperty("frr").GetDouble()); // mirror pairs are easy: all kept
            threshold = root.GetProperty("threshold").GetSingle();
        }
        var rec = CliRunner.Run(_dir, "faces", "recognize", Sample(3), "--workspace", ws, "--json");
        using (var doc = JsonDocument.Parse(rec.StdOut)) Assert.Equal(threshold, doc.RootElement.GetProperty("threshold").GetSingle(), 5);
    }
}

using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Tests.Support;

namespace Lookout.Cli.Tests;

/// <summary>
/// A shapes folder salted with the filesystem rows of issue 10 (unreadable files and folder, FIFOs, a symlink loop,
/// a link out, a non-UTF-8 name, label folders that cannot be labels), trained once with the fast generated backbone.
/// As root, the CLI runs under setpriv without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH so chmod 000 really keeps it out.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostileFolderFixture : IDisposable
{
    public const int LockedFiles = 5;
    public string Root { get; } = Directory.CreateTempSubdirectory("lookout-cli-hostile").FullName;
    public string DataDir => Path.Combine(Root, "shapes");
    /// <summary>Null when we are root and setpriv is missing: then permission bits cannot be enforced and those checks are skipped.</summary>
    public IReadOnlyList<string>? Unprivileged { get; } = HostileFiles.UnprivilegedPrefix();
    public CliResult TrainRun { get; }

    public HostileFolderFixture()
    {
        ShapesDatasetGenerator.Generate(DataDir, new ShapesOptions { PerClass = 16, Seed = 5, Classes = ["circle", "square", "stripes"] });
        string D(string rel) { var p = Path.Combine(DataDir, rel); Directory.CreateDirectory(Path.GetDirectoryName(p)!); return p; }
        var png = File.ReadAllBytes(D("circle/circle-0000.png"));
        for (int i = 0; i < LockedFiles; i++)
        {
            File.WriteAllBytes(D($"square/locked-{i}.png"), png);
            File.SetUnixFileMode(D($"square/locked-{i}.png"), UnixFileMode.None);
        }
        File.WriteAllBytes(D("stripes/private/p.png"), png);
        File.SetUnixFileMode(D("stripes/private"), UnixFileMode.None);
        HostileFiles.Fifo(D("circle/notes.txt"));
        HostileFiles.Fifo(D("circle/pipe.jpg"));
        File.CreateSymbolicLink(D("square/sub/up"), "..");
        File.CreateSymbolicLink(D("square/passwd.png"), "/etc/passwd");
        HostileFiles.RawNamedFile(D("circle"), [0xFF, (byte)'.', (byte)'p', (byte)'n', (byte)'g'], png);
        File.WriteAllBytes(D("unknown/u.png"), png);
        File.WriteAllBytes(D("new\nline/n.png"), png);
        File.WriteAllBytes(D(" /blank.png"), png);

        TrainRun = Cli(Root, ["train", DataDir, "--backbone", "generated", "--json", "--quiet"]);
    }

    public CliResult Cli(string dir, string[] args) =>
        CliRunner.RunAsync(dir, args, TimeSpan.FromMinutes(5), wrapper: Unprivileged).GetAwaiter().GetResult();

    public void Dispose() => HostileFiles.DeleteTree(Root);
}

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class HostileFoldersTests(HostileFolderFixture fx) : IClassFixture<HostileFolderFixture>
{
    private bool Enforced => fx.Unprivileged is not null;

    private static Dictionary<string, string> ByPath(JsonElement array, string pathName, string reasonName) =>
        array.EnumerateArray().ToDictionary(e => e.GetProperty(pathName).GetString()!, e => e.GetProperty(reasonName).GetString()!);

    [Fact]
    public void Train_ListsEveryFileItSkipped_WithItsReason_AndRefusesBadLabels()
    {
        Assert.True(fx.TrainRun.ExitCode == 0, fx.TrainRun.StdErr);
        var json = JsonDocument.Parse(fx.TrainRun.StdOut).RootElement;
        var skipped = ByPath(json.GetProperty("skipped"), "path", "reason");
        string D(string rel) => Path.Combine(fx.DataDir, rel);
        Assert.Contains("FIFO", skipped[D("circle/notes.txt")]);
        Assert.Contains("FIFO", skipped[D("circle/pipe.jpg")]);
        Assert.Contains("loop", skipped[D("square/sub/up/")]);
        Assert.Contains("outside", skipped[D("square/passwd.png")]);
        Assert.Contains("not valid UTF-8", skipped[D(@"circle/\xFF.png")]);
        Assert.Contains("reserved", skipped[D("unknown/u.png")]);
        Assert.Contains("line break", skipped[D("new\nline/n.png")]);
        Assert.Contains("blank", skipped[D(" /blank.png")]);
        if (Enforced)
        {
            for (int i = 0; i < HostileFolderFixture.LockedFiles; i++) Assert.Contains("could not read", skipped[D($"square/locked-{i}.png")]);
            Assert.Contains("could not be read", skipped[D("stripes/private/")]);
        }
        Assert.Equal(["circle", "square", "stripes"], json.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public void DataScan_Finishes_AndReportsTheSameReasons()
    {
        var r = fx.Cli(fx.Root, ["data", "scan", fx.DataDir, "--json", "--quiet"]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var problems = ByPath(JsonDocument.Parse(r.StdOut).RootElement.GetProperty("problems"), "path", "reason");
        Assert.Contains("FIFO", problems["circle/notes.txt"]);
        Assert.Contains("not valid UTF-8", problems[@"circle/\xFF.png"]);
        Assert.Equal(Enforced ? 8 + HostileFolderFixture.LockedFiles + 1 : 8, problems.Count);
        // stderr names each one on one line: the newline in a folder name is shown escaped.
        var text = fx.Cli(fx.Root, ["data", "scan", fx.DataDir]);
        Assert.Contains(@"new\u000Aline/n.png: label folder refused", text.StdErr.Replace("\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public void Classify_Folder_AnswersEachImageOnce_AndReportsEverySkippedEntry()
    {
        var photos = Path.Combine(fx.Root, "photos");
        var good = new[] { "a.png", "b.png", "deep/c.png" };
        foreach (var g in good) { Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(photos, g))!); File.Copy(Path.Combine(fx.DataDir, "square", "square-0001.png"), Path.Combine(photos, g)); }
        File.CreateSymbolicLink(Path.Combine(photos, "deep", "up"), "..");                // used to give one image 41 times
        HostileFiles.Fifo(Path.Combine(photos, "pipe.jpg"));
        HostileFiles.Fifo(Path.Combine(photos, "notes.txt"));                              // not an image name: not a candidate at all
        HostileFiles.RawNamedFile(photos, [(byte)'x', 0xFF, (byte)'.', (byte)'p', (byte)'n', (byte)'g'], File.ReadAllBytes(Path.Combine(photos, "a.png")));
        Directory.CreateDirectory(Path.Combine(photos, "locked"));
        File.Copy(Path.Combine(photos, "a.png"), Path.Combine(photos, "locked", "d.png"));
        File.SetUnixFileMode(Path.Combine(photos, "locked"), UnixFileMode.None);

        var model = JsonDocument.Parse(fx.TrainRun.StdOut).RootElement.GetProperty("model").GetString()!;
        var r = fx.Cli(fx.Root, ["classify", model, photos, "--json"]);
        var results = JsonDocument.Parse(r.StdOut).RootElement.EnumerateArray().ToList();
        var answered = results.Where(e => !e.TryGetProperty("error", out _)).Select(e => Path.GetRelativePath(photos, e.GetProperty("file").GetString()!)).ToList();
        var errors = results.Where(e => e.TryGetProperty("error", out _))
            .ToDictionary(e => Path.GetRelativePath(photos, e.GetProperty("file").GetString()!), e => e.GetProperty("error").GetString()!);
        Assert.Equal(Enforced ? good : [.. good, "locked/d.png"], answered.Order(StringComparer.Ordinal));
        Assert.Contains("loop", errors["deep/up/"]);
        Assert.Contains("FIFO", errors["pipe.jpg"]);
        Assert.Contains("not valid UTF-8", errors[@"x\xFF.png"]);
        if (Enforced) Assert.Contains("could not be read", errors["locked/"]);
        Assert.Equal(Enforced ? 4 : 3, errors.Count);
        Assert.NotEqual(0, r.ExitCode);                   // some items were not answered

        // A glob takes the same path: the FIFO matched by *.jpg is an item error, never a hang.
        var glob = fx.Cli(fx.Root, ["classify", model, Path.Combine(photos, "*.jpg"), "--json"]);
        var only = JsonDocument.Parse(glob.StdOut).RootElement.EnumerateArray().Single();
        Assert.Contains("FIFO", only.GetProperty("error").GetString());
        // And so does a FIFO named on the command line.
        var named = fx.Cli(fx.Root, ["classify", model, Path.Combine(photos, "pipe.jpg"), "--json"]);
        Assert.Contains("FIFO", JsonDocument.Parse(named.StdOut).RootElement.EnumerateArray().Single().GetProperty("error").GetString());
    }
}

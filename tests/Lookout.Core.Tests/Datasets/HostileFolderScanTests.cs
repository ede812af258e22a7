using Lookout.Core.Datasets;
using Lookout.Tests.Support;

namespace Lookout.Core.Tests.Datasets;

/// <summary>The filesystem rows of issue 10 through <see cref="DatasetService.ScanAsync"/>: each ends in a per-entry reason, never a hang, an abort or a silent loss.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class HostileFolderScanTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookout-hostile").FullName;
    private string Data => Path.Combine(_root, "data");
    public void Dispose() => HostileFiles.DeleteTree(_root);

    private string P(string rel) { var p = Path.Combine(Data, rel); Directory.CreateDirectory(Path.GetDirectoryName(p)!); return p; }

    /// <summary>Bounded (a hang fails the test). Called on the current thread: the folder walk happens before the scan's
    /// first await, so it runs with this thread's (possibly reduced) capabilities.</summary>
    private static ScanResult Scan(DatasetService service, string dir) =>
        service.ScanAsync(dir).WaitAsync(TimeSpan.FromSeconds(120)).GetAwaiter().GetResult();

    [Fact]
    public void HostileFolder_ScanCompletes_AndReportsEverySkipWithItsReason()
    {
        TestImages.Png(P("cat/a.png"), 1); TestImages.Png(P("cat/b.png"), 2);
        TestImages.Png(P("dog/c.png"), 3); TestImages.Png(P("dog/d.png"), 4);
        File.CreateSymbolicLink(P("cat/sub/up"), "..");                                // symlink loop
        HostileFiles.Fifo(P("cat/notes.txt"));                                          // used to hang the scan
        HostileFiles.Fifo(P("dog/pipe.jpg"));                                           // used to be "empty file"
        HostileFiles.RawNamedFile(P("cat"), [0xFF, (byte)'.', (byte)'p', (byte)'n', (byte)'g'], TestImages.Bytes(5, ".png"));
        var secret = TestImages.Png(Path.Combine(_root, "secret.png"), 6);
        File.CreateSymbolicLink(P("cat/out.png"), secret);                              // out of the folder
        File.CreateSymbolicLink(P("cat/in.png"), "a.png");                              // inside: a file like any other
        TestImages.Png(P("dog/private/e.png"), 7);
        File.SetUnixFileMode(P("dog/private"), UnixFileMode.None);

        var service = DatasetService.ForDataDir(Data);
        ScanResult? result = null;
        bool enforced = HostileFiles.TryRunUnprivileged(() => result = Scan(service, Data));
        if (!enforced) result = Scan(service, Data);     // root that cannot drop CAP_DAC_READ_SEARCH: the folder is readable

        var problems = result!.Problems.ToDictionary(p => p.Path, p => p.Reason);
        Assert.Contains("loop", problems["cat/sub/up/"]);
        Assert.Contains("FIFO", problems["cat/notes.txt"]);
        Assert.Contains("FIFO", problems["dog/pipe.jpg"]);
        Assert.Contains("not valid UTF-8", problems[@"cat/\xFF.png"]);
        Assert.Contains("outside", problems["cat/out.png"]);
        var usable = new List<string> { "cat/a.png", "cat/b.png", "cat/in.png", "dog/c.png", "dog/d.png" };
        if (enforced) Assert.Contains("could not be read", problems["dog/private/"]);
        else usable.Add("dog/private/e.png");
        Assert.Equal(enforced ? 6 : 5, problems.Count);
        Assert.Equal(usable, service.Snapshot().Select(s => Path.GetRelativePath(Data, s.Path)).Order(StringComparer.Ordinal));
        var link = service.Items().Single(i => i.Path == "cat/in.png");
        Assert.Equal(new FileInfo(P("cat/a.png")).Length, link.Size);                  // the target's size, so rescans see it unchanged

        // A rescan changes nothing and still reports every skip; once an oddity is removed it is no longer reported.
        ScanResult? again = null;
        if (!HostileFiles.TryRunUnprivileged(() => again = Scan(service, Data))) again = Scan(service, Data);
        Assert.Equal((0, 0), (again!.Added, again.Updated));
        Assert.Equal(problems.Keys.Order(StringComparer.Ordinal), again.Problems.Select(p => p.Path).Order(StringComparer.Ordinal));
        File.Delete(P("cat/notes.txt"));
        if (!HostileFiles.TryRunUnprivileged(() => again = Scan(service, Data))) again = Scan(service, Data);
        Assert.DoesNotContain(again!.Problems, p => p.Path == "cat/notes.txt");
        Assert.Equal(1, again.Missing);
    }

    [Fact]
    public async Task LabelFolders_ThatCannotBeLabels_AreRefusedPerFile_WithTheReason()
    {
        TestImages.Png(P("cat/a.png"), 1);
        TestImages.Png(P("dog/b.png"), 2);
        TestImages.Png(P("unknown/c.png"), 3);
        TestImages.Png(P("Unknown/c2.png"), 4);
        TestImages.Png(P(" /d.png"), 5);
        TestImages.Png(P("new\nline/e.png"), 6);
        TestImages.Png(P(" padded/f.png"), 7);
        TestImages.Png(P("back\\slash/g.png"), 8);
        TestImages.Png(P("tab\there/h.png"), 9);

        var service = DatasetService.ForDataDir(Data);
        var result = await service.ScanAsync(Data);
        var problems = result.Problems.ToDictionary(p => p.Path, p => p.Reason);
        Assert.Contains("reserved", problems["unknown/c.png"]);
        Assert.Contains("reserved", problems["Unknown/c2.png"]);
        Assert.Contains("blank", problems[" /d.png"]);
        Assert.Contains("line break", problems["new\nline/e.png"]);
        Assert.DoesNotContain("\n", problems["new\nline/e.png"]);                       // the reason itself stays on one line
        Assert.Contains("space", problems[" padded/f.png"]);
        Assert.Contains("backslash", problems["back\\slash/g.png"]);
        Assert.Contains("control character", problems["tab\there/h.png"]);
        Assert.Equal(["cat", "dog"], service.Snapshot().Select(s => s.Label).Order(StringComparer.Ordinal));

        // Renaming the folder is the fix: the next scan takes it.
        Directory.Move(P("unknown"), Path.Combine(Data, "other"));
        await service.ScanAsync(Data);
        Assert.Equal(["cat", "dog", "other"], service.Snapshot().Select(s => s.Label).Order(StringComparer.Ordinal));
        Assert.Throws<ArgumentException>(() => service.SetLabel("cat/a.png", "unknown"));
        Assert.Throws<ArgumentException>(() => service.SetLabel("cat/a.png", "a\nb"));
    }

    [Fact]
    public async Task SplitFolders_ValidateTheLabelUnderTheSplit()
    {
        TestImages.Png(P("train/cat/a.png"), 1);
        TestImages.Png(P("train/unknown/b.png"), 2);
        TestImages.Png(P("val/ cat/c.png"), 3);
        var result = await DatasetService.ForDataDir(Data).ScanAsync(Data);
        var problems = result.Problems.ToDictionary(p => p.Path, p => p.Reason);
        Assert.Contains("reserved", problems["train/unknown/b.png"]);
        Assert.Contains("space", problems["val/ cat/c.png"]);
    }
}

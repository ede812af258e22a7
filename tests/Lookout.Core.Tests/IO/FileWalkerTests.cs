using Lookout.Core.IO;
using Lookout.Tests.Support;

namespace Lookout.Core.Tests.IO;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class FileWalkerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookout-walk").FullName;
    private string Data => Path.Combine(_root, "data");

    public void Dispose() => HostileFiles.DeleteTree(_root);

    private static void Lock(string dir) => File.SetUnixFileMode(dir, UnixFileMode.None);

    private string P(string rel) { var p = Path.Combine(Data, rel); Directory.CreateDirectory(Path.GetDirectoryName(p)!); return p; }
    private string Touch(string rel) { var p = P(rel); File.WriteAllText(p, rel); return p; }

    private static FolderWalk Walk(string root, WalkOptions? options = null) =>
        Task.Run(() => FileWalker.Walk(root, options)).WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();

    private static Dictionary<string, string> Skips(FolderWalk w) => w.Skipped.ToDictionary(s => s.RelativePath, s => s.Reason);

    [Fact]
    public void SymlinkLoop_IsReportedOnce_AndEveryFileListedOnce()
    {
        Touch("cat/a.png"); Touch("cat/sub/b.png");
        File.CreateSymbolicLink(P("cat/sub/up"), "..");              // cat/sub/up -> cat: a loop
        File.CreateSymbolicLink(P("cat/sub/self"), ".");
        var walk = Walk(Data);
        Assert.Equal(["cat/a.png", "cat/sub/b.png"], walk.Files.Select(f => f.RelativePath));
        Assert.Equal(Path.Combine(Data, "cat", "a.png"), walk.Files[0].FullPath);
        var skips = Skips(walk);
        Assert.Contains("loop", skips["cat/sub/up/"]);
        Assert.Contains("loop", skips["cat/sub/self/"]);
        Assert.Equal(2, skips.Count);
    }

    [Fact]
    public void Links_AreFollowedOnlyToFilesInsideTheFolder()
    {
        Touch("cat/a.png");
        var outside = Path.Combine(_root, "secret.png");
        File.WriteAllText(outside, "secret");
        Directory.CreateDirectory(Path.Combine(_root, "elsewhere"));
        File.WriteAllText(Path.Combine(_root, "elsewhere", "x.png"), "x");
        File.CreateSymbolicLink(P("cat/in.png"), "a.png");                           // inside: followed
        File.CreateSymbolicLink(P("cat/chain.png"), "in.png");                        // link to a link inside: followed
        File.CreateSymbolicLink(P("cat/out.png"), outside);                           // absolute, outside
        File.CreateSymbolicLink(P("cat/dotdot.png"), "../../secret.png");            // relative, outside
        File.CreateSymbolicLink(P("cat/broken.png"), "nothing-here.png");
        File.CreateSymbolicLink(P("cat/elsewhere"), Path.Combine(_root, "elsewhere"));   // folder outside
        File.CreateSymbolicLink(P("dog"), "cat");                                      // folder inside
        File.CreateSymbolicLink(P("cat/null.png"), "/dev/null");                      // a device, outside anyway

        var walk = Walk(Data);
        Assert.Equal(["cat/a.png", "cat/chain.png", "cat/in.png"], walk.Files.Select(f => f.RelativePath));
        var skips = Skips(walk);
        Assert.Contains("outside", skips["cat/out.png"]);
        Assert.Contains("outside", skips["cat/dotdot.png"]);
        Assert.Contains("broken", skips["cat/broken.png"]);
        Assert.Contains("folder outside", skips["cat/elsewhere/"]);
        Assert.Contains("folder inside", skips["dog/"]);
        Assert.Contains("device", skips["cat/null.png"]);
        Assert.Equal(6, skips.Count);
    }

    [Fact]
    public void FifosAndSockets_AreNeverOpened_AndReportedWhenWanted()
    {
        Touch("cat/a.png");
        HostileFiles.Fifo(P("cat/pipe.txt"));
        HostileFiles.Fifo(P("cat/pipe.jpg"));
        using var socket = HostileFiles.Socket(P("cat/sock.png"));
        File.CreateSymbolicLink(P("cat/to-pipe.jpg"), "pipe.jpg");

        var all = Walk(Data);          // would block forever if a FIFO were opened
        Assert.Equal(["cat/a.png"], all.Files.Select(f => f.RelativePath));
        var skips = Skips(all);
        Assert.Contains("FIFO", skips["cat/pipe.txt"]);
        Assert.Contains("never opened", skips["cat/pipe.jpg"]);
        Assert.Contains("socket", skips["cat/sock.png"]);
        Assert.Contains("FIFO", skips["cat/to-pipe.jpg"]);

        // Asked only for .jpg files, a FIFO named .txt was never a candidate: not reported.
        var jpegs = Walk(Data, new WalkOptions { Include = n => n.EndsWith(".jpg", StringComparison.Ordinal) });
        Assert.Empty(jpegs.Files);
        Assert.Equal(["cat/pipe.jpg", "cat/to-pipe.jpg"], jpegs.Skipped.Select(s => s.RelativePath));

        Assert.Contains("FIFO", FileWalker.ProblemWithFile(P("cat/pipe.jpg")));
        Assert.Null(FileWalker.ProblemWithFile(P("cat/a.png")));
    }

    [Fact]
    public void NamesThatAreNotUtf8_AreReportedEscaped_NeverDropped()
    {
        Touch("cat/a.png");
        HostileFiles.RawNamedFile(P("cat"), [0xFF, 0xFE, (byte)'.', (byte)'p', (byte)'n', (byte)'g'], [1, 2, 3]);
        var folder = HostileFiles.RawNamedFolder(Data, [(byte)'d', 0xE9, (byte)'j', (byte)'a']);      // Latin-1 "déja"
        File.WriteAllText(Path.Combine(Data, "ok"), "ok");
        _ = folder;

        var walk = Walk(Data);
        Assert.Equal(["ok", "cat/a.png"], walk.Files.Select(f => f.RelativePath));
        var skips = Skips(walk);
        Assert.Contains("not valid UTF-8", skips[@"cat/\xFF\xFE.png"]);
        Assert.Contains("folder name is not valid UTF-8", skips[@"d\xE9ja/"]);
    }

    [Fact]
    public void UnreadableFolder_IsReported_AndTheWalkCarriesOn()
    {
        Touch("cat/a.png"); Touch("dog/b.png"); Touch("dog/private/c.png");
        Lock(P("dog/private"));
        FolderWalk? walk = null;
        bool enforced = HostileFiles.TryRunUnprivileged(() => walk = FileWalker.Walk(Data));
        // As root without a way to drop CAP_DAC_READ_SEARCH, chmod 000 keeps nobody out: nothing to assert about the folder.
        if (!enforced) return;
        Assert.Equal(["cat/a.png", "dog/b.png"], walk!.Files.Select(f => f.RelativePath));
        Assert.Contains("could not be read", Skips(walk)["dog/private/"]);

        // The root itself unreadable is the user's own mistake: one clear error.
        Lock(Data);
        Exception? error = null;
        HostileFiles.TryRunUnprivileged(() => error = Record.Exception(() => FileWalker.Walk(Data)));
        Assert.IsType<UnauthorizedAccessException>(error);
    }

    [Fact]
    public void HiddenEntries_ExcludedFolders_AndNonRecursiveWalks()
    {
        Touch("cat/a.png"); Touch("cat/.hidden.png"); Touch(".git/config"); Touch("ws/catalog.db"); Touch("top.png");
        var walk = Walk(Data, new WalkOptions { ExcludeFolders = [P("ws")] });
        Assert.Equal(["top.png", "cat/a.png"], walk.Files.Select(f => f.RelativePath));
        Assert.Empty(walk.Skipped);
        var flat = Walk(Data, new WalkOptions { Recursive = false });
        Assert.Equal(["top.png"], flat.Files.Select(f => f.RelativePath));
    }

    [Fact]
    public void MissingRoot_IsAClearError()
    {
        Assert.Throws<DirectoryNotFoundException>(() => FileWalker.Walk(Path.Combine(_root, "nope")));
        File.WriteAllText(Path.Combine(_root, "file"), "x");
        Assert.Throws<DirectoryNotFoundException>(() => FileWalker.Walk(Path.Combine(_root, "file")));
    }

    [Fact]
    public void RootReachedThroughALink_StillCountsAsInside()
    {
        Touch("cat/a.png");
        File.CreateSymbolicLink(P("cat/b.png"), Path.Combine(Data, "cat", "a.png"));     // absolute path through the real root
        var alias = Path.Combine(_root, "alias");
        File.CreateSymbolicLink(alias, Data);
        var walk = Walk(alias);
        Assert.Equal(["cat/a.png", "cat/b.png"], walk.Files.Select(f => f.RelativePath));
        Assert.StartsWith(alias, walk.Files[0].FullPath);
    }

    [Fact]
    public void AVeryDeepTree_IsWalkedWithoutRecursion()
    {
        var deep = Data;
        for (int i = 0; i < 1500; i++) deep = Path.Combine(deep, "d");                   // ~3000-byte path, 1500 levels
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, "x.png"), "x");
        var walk = Walk(Data);
        Assert.Single(walk.Files);
        Assert.Equal(1500 * 2 + "x.png".Length, walk.Files[0].RelativePath.Length);
    }
}

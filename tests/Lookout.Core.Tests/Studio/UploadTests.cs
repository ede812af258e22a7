using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Imaging;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Boxes;
using Lookout.Core.Studio.Import;
using Lookout.Core.Tests.Video;

namespace Lookout.Core.Tests.Studio;

public class UploadTests
{
    [Fact]
    public async Task Photo_IsStoredUnderItsContentHash_WithThumbnailAndFacts_AndASecondCopyIsADuplicate()
    {
        using var kit = new StudioTestKit("cat");
        var first = await kit.UploadAsync(StudioTestKit.Png(7, 320, 240), "cat", "../../etc/passwd.png");
        Assert.Equal(UploadStatus.Added, first.Status);
        var row = kit.Project.Datasets.Items().Single();
        Assert.Equal($"cat/{first.Sha256![..16]}.png", row.Path); // the client's name never reaches the disk
        Assert.Equal(first.Sha256, row.Sha256);
        var item = Assert.Single(ItemQuery.List(kit.Project, ItemView.Class, "cat"));
        Assert.NotNull(item.Media);
        Assert.True(File.Exists(Lookout.Core.Studio.Media.MediaIndex.ThumbPath(kit.Project, first.Sha256)));

        var again = await kit.UploadAsync(StudioTestKit.Png(7, 320, 240), null, "copy.png");
        Assert.Equal(UploadStatus.Duplicate, again.Status);
        Assert.Equal("cat", again.Label);
        Assert.Equal(first.Ids, again.Ids);
        Assert.Single(kit.Project.Datasets.Items());
    }

    [Fact]
    public async Task NotAnImage_Truncated_TooManyPixels_AreRefusedWithAReason_AndLeaveNoFile()
    {
        using var kit = new StudioTestKit("cat");
        var text = await kit.UploadAsync("hello, this is not a picture"u8.ToArray(), "cat", "fake.jpg");
        Assert.Equal(UploadStatus.Rejected, text.Status);
        Assert.Contains("sniffed", text.Reason);
        var png = StudioTestKit.Png(3, 200, 200);
        var truncated = await kit.UploadAsync(png[..(png.Length / 2)], "cat");
        Assert.Equal(UploadStatus.Rejected, truncated.Status);
        var small = new UploadStore(kit.Project, kit.Scanner, new UploadLimits { MaxPixels = 100 });
        var big = await small.AddAsync(new MemoryStream(StudioTestKit.Png(4, 64, 64)), "big.png", "cat");
        Assert.Equal(UploadStatus.Rejected, big.Status);
        Assert.Contains("MP", big.Reason);
        Assert.Empty(Directory.EnumerateFiles(kit.Project.DataDir, "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(kit.Project.TempDir));
    }

    [Fact]
    public async Task ADroppedUpload_LeavesNoHalfFile()
    {
        using var kit = new StudioTestKit("cat");
        var png = StudioTestKit.Png(5, 400, 300);
        await Assert.ThrowsAsync<IOException>(() => kit.Uploads.AddAsync(new BrokenStream(png, png.Length / 2), "x.png", "cat"));
        Assert.Empty(Directory.EnumerateFiles(kit.Project.DataDir, "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(kit.Project.TempDir));
        // A temp file a killed server left behind is removed when the project is next served.
        File.WriteAllText(Path.Combine(kit.Project.TempDir, "abc.part"), "half");
        ReceivedFile.CleanTemp(kit.Project.TempDir);
        Assert.Empty(Directory.EnumerateFiles(kit.Project.TempDir));
        Assert.Empty(kit.Project.Datasets.Items());
    }

    [Fact]
    public async Task Video_BecomesFrames_ExactlyAsDataScanMakesThem()
    {
        using var kit = new StudioTestKit("furnace");
        var clip = await TestClips.WriteAsync(Path.Combine(kit.Root, "clip.mp4"), 5, (TestClips.Pattern(1, 96, 64), 1.2), (TestClips.Pattern(2, 96, 64), 1.2));
        var result = await kit.Uploads.AddAsync(File.OpenRead(clip), "clip.mp4", "furnace");
        Assert.Equal(UploadStatus.Added, result.Status);
        Assert.True(result.Video);
        Assert.Equal(2, result.Ids.Count); // 1 fps, near-duplicates dropped: one frame per scene
        var frames = ItemQuery.List(kit.Project, ItemView.Class, "furnace");
        Assert.All(frames, f => Assert.Equal(ItemKind.Frame, f.Kind));

        // The same folder scanned by the CLI's scan into a fresh workspace gives the same rows.
        var copy = Path.Combine(kit.Root, "copy", "data");
        CopyDir(kit.Project.DataDir, copy);
        var cli = DatasetService.ForDataDir(copy);
        await cli.ScanAsync(copy);
        static string Key(CatalogItem i) => $"{i.Path}|{i.Kind}|{i.Status}|{i.Sha256}|{i.Label}|{i.Source}|{i.SourceTimeMs}|{i.Width}x{i.Height}";
        Assert.Equal(kit.Project.Datasets.Items().Select(Key).Order(), cli.Items().Select(Key).Order());

        var again = await kit.Uploads.AddAsync(File.OpenRead(clip), "again.mp4", null);
        Assert.Equal(UploadStatus.Duplicate, again.Status);
        Assert.Equal(result.Ids, again.Ids);
    }

    [Fact]
    public async Task Video_InADetectionProject_BecomesPicturesToBox_ThatTrainingReadsAsOneVideo()
    {
        using var kit = new StudioTestKit();
        await BoxProject.MakeDetectionAsync(kit.Project);
        await BoxProject.AddClassAsync(kit.Project, "furnace");
        var clip = await TestClips.WriteAsync(Path.Combine(kit.Root, "walk.mp4"), 5,
            (TestClips.Pattern(1, 96, 64), 1.2), (TestClips.Pattern(2, 96, 64), 1.2), (TestClips.Pattern(3, 96, 64), 1.2));
        var result = await kit.Uploads.AddAsync(File.OpenRead(clip), "walk.mp4", null);
        Assert.Equal(UploadStatus.Added, result.Status);
        Assert.True(result.Video);
        Assert.Equal(3, result.Ids.Count); // one picture per scene, as the scan keeps frames

        // Each id is a photo beside the video, named as a frame of it, with the very bytes of the kept frame.
        var pictures = ItemQuery.ByIds(kit.Project, result.Ids).OrderBy(p => p.Path, StringComparer.Ordinal).ToList();
        var stem = $"{FolderLayout.UnlabelledFolder}/{result.Sha256![..16]}_frame_";
        Assert.All(pictures, p => Assert.Equal(ItemKind.Image, p.Kind));
        Assert.All(pictures, p => Assert.StartsWith(stem, p.Path));
        var frames = kit.Project.Datasets.Items().Where(i => i.Kind == ItemKind.Frame).OrderBy(i => i.SourceTimeMs).ToList();
        Assert.Equal(frames.Select(f => f.Sha256), pictures.Select(p => p.Sha256));
        static Lookout.Core.IO.FileIdentity Identity(string path) => Lookout.Core.IO.LinuxFiles.Stat(System.Text.Encoding.UTF8.GetBytes(path), followLinks: false).Identity;
        Assert.Equal(Identity(Path.Combine(kit.Project.Workspace.Root, frames[0].File!)), Identity(Path.Combine(kit.Project.DataDir, pictures[0].Path))); // linked, not copied
        Assert.True(File.Exists(Path.Combine(kit.Project.DataDir, $"{FolderLayout.UnlabelledFolder}/{result.Sha256[..16]}.mp4"))); // the video is kept

        // Box one, mark one as "nothing here", leave one unreviewed: training reads the two reviewed, as one video.
        var (_, saved) = await BoxLabels.SaveAsync(kit.Project, pictures[0].Id, [new LabeledBox("furnace", new BoxF(10, 8, 60, 50))]);
        Assert.True(saved.Reviewed);
        await BoxLabels.SaveAsync(kit.Project, pictures[1].Id, []);
        Assert.Equal(1, ProjectClasses.List(kit.Project).Single(c => c.Name == "furnace").Items); // a detection class counts its boxes
        var dataset = BoxDatasetImporter.Import(kit.Project.DataDir);
        Assert.Empty(dataset.Errors);
        Assert.Equal(2, dataset.Images.Count);
        Assert.Equal(1, dataset.BoxCount);
        Assert.Single(dataset.Images.Select(i => i.Group).Distinct());

        // Leaving the boxed picture out moves its box file with it (training no longer reads it); bringing it back restores both.
        var boxFile = Path.ChangeExtension(Path.Combine(kit.Project.DataDir, pictures[0].Path), ".txt");
        await ItemLabels.ExcludeAsync(kit.Project, [pictures[0].Id], excluded: true);
        Assert.False(File.Exists(boxFile));
        Assert.Single(BoxDatasetImporter.Import(kit.Project.DataDir).Images);
        await ItemLabels.ExcludeAsync(kit.Project, [pictures[0].Id], excluded: false);
        Assert.True(File.Exists(boxFile));
        Assert.Equal(1, BoxDatasetImporter.Import(kit.Project.DataDir).BoxCount);

        // The same video again is a duplicate that answers the same pictures (nothing written twice).
        var again = await kit.Uploads.AddAsync(File.OpenRead(clip), "again.mp4", null);
        Assert.Equal(UploadStatus.Duplicate, again.Status);
        Assert.Equal(result.Ids.Order(), again.Ids.Order());
        Assert.Equal(3, ItemQuery.List(kit.Project, ItemView.All).Count(i => i.Kind == ItemKind.Image));
    }

    [Fact]
    public async Task Video_CopiedIntoADetectionProjectByHand_GetsItsFramePicturesOnce_ALeftOutOneStaysOut()
    {
        using var kit = new StudioTestKit();
        await BoxProject.MakeDetectionAsync(kit.Project);
        var unlabelled = Directory.CreateDirectory(Path.Combine(kit.Project.DataDir, FolderLayout.UnlabelledFolder)).FullName;
        await TestClips.WriteAsync(Path.Combine(unlabelled, "porch.mp4"), 5, (TestClips.Pattern(4, 96, 64), 1.2), (TestClips.Pattern(5, 96, 64), 1.2));
        await kit.Scanner.ScanAsync();
        Assert.Equal(1, await VideoFramePictures.WriteMissingAsync(kit.Project));
        await kit.Scanner.ScanAsync();
        var pictures = ItemQuery.List(kit.Project, ItemView.All).Where(i => i.Kind == ItemKind.Image).OrderBy(i => i.Path, StringComparer.Ordinal).ToList();
        Assert.Equal(["_unlabelled/porch_frame_0000000.png", "_unlabelled/porch_frame_0001000.png"], pictures.Select(p => p.Path));

        // Once only: a picture left out (or deleted) is not written again by the next look at the folder.
        await ItemLabels.ExcludeAsync(kit.Project, [pictures[1].Id], excluded: true);
        File.Delete(Path.Combine(kit.Project.DataDir, pictures[0].Path));
        Assert.Equal(0, await VideoFramePictures.WriteMissingAsync(kit.Project));
        Assert.False(File.Exists(Path.Combine(kit.Project.DataDir, pictures[0].Path)));
        Assert.False(File.Exists(Path.Combine(kit.Project.DataDir, pictures[1].Path)));
    }

    private static void CopyDir(string from, string to)
    {
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }

    /// <summary>Delivers the first bytes, then fails like a dropped connection.</summary>
    private sealed class BrokenStream(byte[] data, int failAt) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => Position >= failAt ? throw new IOException("connection reset") : base.Read(buffer, offset, Math.Min(count, failAt - (int)Position));
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            Position >= failAt ? throw new IOException("connection reset") : base.ReadAsync(buffer[..Math.Min(buffer.Length, failAt - (int)Position)], ct);
    }
}

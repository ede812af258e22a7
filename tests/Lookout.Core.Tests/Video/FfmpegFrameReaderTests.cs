using System.Diagnostics;
using Lookout.Core.Video;

namespace Lookout.Core.Tests.Video;

public class FfmpegFrameReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-video").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<List<Frame>> ReadAll(FfmpegFrameReader reader, CancellationToken ct = default)
    {
        var frames = new List<Frame>();
        await foreach (var f in reader.ReadFramesAsync(ct)) frames.Add(f);
        return frames;
    }

    [Fact]
    public async Task OneFps_GivesOneFramePerSecond_WithTimesAndContent()
    {
        var a = TestClips.Pattern(1); var b = TestClips.Pattern(2);
        var clip = await TestClips.WriteAsync(Path.Combine(_dir, "ab.mp4"), 10, (a, 2), (b, 2));
        await using var reader = await FfmpegFrameReader.OpenAsync(clip);
        Assert.Equal((64, 48), (reader.Width, reader.Height));
        Assert.Equal(4.0, reader.Info.Duration!.Value.TotalSeconds, 1);

        var frames = await ReadAll(reader);
        Assert.Equal([0, 1, 2, 3], frames.Select(f => f.Time.TotalSeconds));
        Assert.Equal([0L, 1, 2, 3], frames.Select(f => f.Seq));
        // Frames 0-1 show pattern a, 2-3 pattern b (the hash survives H.264 re-encoding).
        Assert.True(PerceptualHash.Distance(PerceptualHash.DHash(frames[0].Pixels), PerceptualHash.DHash(a)) <= 4);
        Assert.True(PerceptualHash.Distance(PerceptualHash.DHash(frames[3].Pixels), PerceptualHash.DHash(b)) <= 4);
        Assert.True(PerceptualHash.Distance(PerceptualHash.DHash(frames[1].Pixels), PerceptualHash.DHash(frames[2].Pixels)) > 10);
    }

    [Fact]
    public async Task DuplicateFilter_KeepsOneFrameOfAStillSegment()
    {
        var still = TestClips.Pattern(7);
        var clip = await TestClips.WriteAsync(Path.Combine(_dir, "still.mp4"), 5,
            (still, 4), (TestClips.Pattern(8), 1), (TestClips.Pattern(9), 1), (TestClips.Pattern(10), 1));
        await using var reader = await FfmpegFrameReader.OpenAsync(clip);
        var filter = new NearDuplicateFilter();
        var kept = new List<TimeSpan>();
        await foreach (var f in reader.ReadFramesAsync())
            if (filter.Keep(PerceptualHash.DHash(f.Pixels))) kept.Add(f.Time);
        Assert.Equal([0, 4, 5, 6], kept.Select(t => t.TotalSeconds));
    }

    [Fact]
    public async Task MaxSide_Downscales_And_AllFramesMode_UsesStreamRate()
    {
        var clip = await TestClips.WriteAsync(Path.Combine(_dir, "small.mkv"), 4, (TestClips.Pattern(3), 1));
        await using var reader = await FfmpegFrameReader.OpenAsync(clip, new FrameReaderOptions { FramesPerSecond = null, MaxSide = 32 });
        Assert.Equal((32, 24), (reader.Width, reader.Height));
        var frames = await ReadAll(reader);
        Assert.Equal(4, frames.Count);
        Assert.Equal(0.75, frames[3].Time.TotalSeconds, 3);
        Assert.All(frames, f => Assert.Equal(32 * 24 * 3, f.Pixels.Pixels.Length));
    }

    [Fact]
    public async Task RotationMetadata_SwapsTheFrameSize()
    {
        var clip = await TestClips.WriteAsync(Path.Combine(_dir, "flat.mp4"), 2, (TestClips.Pattern(4), 1));
        var rotated = Path.Combine(_dir, "rotated.mp4");
        using (var p = Process.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", clip, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated]))
            await p.WaitForExitAsync();
        await using var reader = await FfmpegFrameReader.OpenAsync(rotated);
        Assert.Equal(90, reader.Info.Rotation % 180 == 0 ? 0 : 90);
        Assert.Equal((48, 64), (reader.Width, reader.Height));
        var frames = await ReadAll(reader);
        Assert.Equal(48 * 64 * 3, frames[0].Pixels.Pixels.Length);
    }

    [Fact]
    public async Task NonVideoFiles_GiveClearErrors()
    {
        var text = Path.Combine(_dir, "notes.mp4"); File.WriteAllText(text, "definitely not a video");
        var ex = await Assert.ThrowsAsync<VideoException>(() => FfmpegFrameReader.OpenAsync(text));
        Assert.Contains("not a readable video", ex.Reason);

        var png = Path.Combine(_dir, "still.png");
        using (var img = NetVips.Image.NewFromMemory(TestClips.Pattern(5).Pixels, 64, 48, 3, NetVips.Enums.BandFormat.Uchar)) img.WriteToFile(png);
        ex = await Assert.ThrowsAsync<VideoException>(() => FfmpegFrameReader.OpenAsync(png));
        Assert.Contains("still image", ex.Reason);

        ex = await Assert.ThrowsAsync<VideoException>(() => FfmpegFrameReader.OpenAsync(Path.Combine(_dir, "missing.mp4")));
        Assert.Contains("not found", ex.Reason);
    }

    [Fact]
    public async Task MissingFfmpeg_SaysHowToInstallIt()
    {
        var clip = await TestClips.WriteAsync(Path.Combine(_dir, "x.mp4"), 2, (TestClips.Pattern(6), 1));
        var tools = new FfmpegTools { Ffmpeg = "/nonexistent/ffmpeg", Ffprobe = "/nonexistent/ffprobe" };
        var ex = await Assert.ThrowsAsync<VideoException>(() => FfmpegFrameReader.OpenAsync(clip, new FrameReaderOptions { Tools = tools }));
        Assert.Contains("ffprobe was not found", ex.Reason);
        Assert.Contains("apt-get install ffmpeg", ex.Reason);
    }

    [Fact]
    public async Task StoppingEarly_OrCancelling_EndsTheRead()
    {
        var clip = await TestClips.WriteAsync(Path.Combine(_dir, "long.mp4"), 10, (TestClips.Pattern(11), 30));
        await using (var reader = await FfmpegFrameReader.OpenAsync(clip, new FrameReaderOptions { FramesPerSecond = null }))
        {
            await foreach (var f in reader.ReadFramesAsync()) { Assert.Equal(0, f.Seq); break; }
            Assert.False(IsRunning(reader.ProcessId!.Value), "ffmpeg still running after the loop stopped");
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await ReadAll(reader));
        }
        using var cts = new CancellationTokenSource();
        await using var again = await FfmpegFrameReader.OpenAsync(clip, new FrameReaderOptions { FramesPerSecond = null });
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var f in again.ReadFramesAsync(cts.Token)) { if (++seen == 3) cts.Cancel(); }
        });
        Assert.Equal(3, seen);
        Assert.False(IsRunning(again.ProcessId!.Value), "ffmpeg still running after cancellation");
    }

    private static bool IsRunning(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }

    [Fact]
    public async Task NonFileSources_WithAnInputFormat_AreRead()
    {
        // lavfi stands in for a live source (camera/RTSP): input options reach both ffprobe and ffmpeg.
        var options = new FrameReaderOptions { FramesPerSecond = 2, InputArguments = ["-f", "lavfi"] };
        await using var reader = await FfmpegFrameReader.OpenAsync("testsrc=size=80x60:rate=10:duration=3", options);
        var frames = await ReadAll(reader);
        Assert.Equal((80, 60), (reader.Width, reader.Height));
        Assert.Equal(6, frames.Count);
        Assert.Equal(2.5, frames[^1].Time.TotalSeconds, 3);
    }

    [Fact]
    public void PerceptualHash_IgnoresScale_ButSeesContent()
    {
        var a = TestClips.Pattern(21, 64, 48);
        var aLarge = TestClips.Pattern(21, 128, 96, block: 16);
        Assert.True(PerceptualHash.Distance(PerceptualHash.DHash(a), PerceptualHash.DHash(aLarge)) <= 3);
        Assert.True(PerceptualHash.Distance(PerceptualHash.DHash(a), PerceptualHash.DHash(TestClips.Pattern(22))) > 10);
        var tiny = new Lookout.Core.Imaging.RgbImage(2, 2, new byte[12]);
        Assert.Equal(0UL, PerceptualHash.DHash(tiny));
    }
}

using Lookout.Core.Imaging;
using Lookout.Tests.Shared;

namespace Lookout.Core.Tests.Imaging;

/// <summary>
/// The decoder-level rows of the hostile-input report: each crafted file is a clear per-item error or a bounded
/// answer, files and the same bytes get the same verdict, and errors name their own file.
/// </summary>
public sealed class HostileImageTests : IDisposable
{
    private static readonly PreprocessSpec Crop224 = new() { Width = 224, Height = 224, Resize = ResizeMode.ShorterSideCenterCrop };
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Decodes as a file and as bytes; both must agree (same exception reason, or same pixels).</summary>
    private (RgbImage? Pixels, ImageDecodeException? Error) Both(string name, byte[] bytes, PreprocessSpec spec)
    {
        var path = Write(name, bytes);
        (RgbImage?, ImageDecodeException?) Try(Func<RgbImage> load)
        {
            try { return (load(), null); }
            catch (ImageDecodeException e) { return (null, e); }
        }
        var fromFile = Try(() => ImageLoader.Load(path, spec));
        var fromBytes = Try(() => ImageLoader.Load(bytes, spec, sourceName: name));
        Assert.Equal(fromFile.Item2?.Reason, fromBytes.Item2?.Reason);
        Assert.Equal(fromFile.Item1?.Pixels, fromBytes.Item1?.Pixels);
        return fromFile;
    }

    [Fact]
    public void BmpWithHeightIntMin_IsACorruptImage_NotACrash()
    {
        var (_, error) = Both("min.bmp", HostileImages.BmpHeightIntMin(), Crop224);
        Assert.Equal(ImageProblem.Corrupt, error!.Problem);
        Assert.Contains("-2147483648", error.Reason);
    }

    [Fact]
    public void BmpWithHeaderSize0x7FFFFFF5_IsACorruptImage_NotACrash()
    {
        var (_, error) = Both("header.bmp", HostileImages.BmpHugeHeaderSize(), Crop224);
        Assert.Equal(ImageProblem.Corrupt, error!.Problem);
        Assert.Contains("header size 2147483637", error.Reason);
    }

    [Fact]
    public void OnePixelWidePng_CentreCropIsPlannedWithinTheBudget_AndGivesTheStripsColour()
    {
        var png = HostileImages.SolidPng(1, 20000, 200, 60, 30);
        Assert.True(png.Length < 200, $"{png.Length} bytes");
        var plan = ResizePlan.For(1, 20000, ImageTarget.For(Crop224));
        Assert.True(plan.LargestStagePixels(1, 20000) <= ResizePlan.Budget * 224L * 224, $"{plan.LargestStagePixels(1, 20000)} px");
        var (pixels, error) = Both("strip.png", png, Crop224);
        Assert.Null(error);
        Assert.Equal((224, 224), (pixels!.Width, pixels.Height));
        Assert.All(pixels.Pixels.Chunk(3), p => Assert.Equal(new byte[] { 200, 60, 30 }, p));
    }

    [Fact]
    public void OneBitBmp7000_IsDecodedWithAllocationsBoundedByTheOutput()
    {
        var bmp = HostileImages.Bmp1Bit(7000, 7000); // 6 MB file, 49 MP: 147 MB as full-size RGB
        var source = ImageSource.FromBytes(bmp);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var decoded = ImageDecoder.Decode(source, ImageTarget.For(Crop224));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal((7000, 7000), (decoded.Width, decoded.Height));
        Assert.Equal((224, 224), (decoded.Pixels.Width, decoded.Pixels.Height));
        Assert.True(allocated < 8L << 20, $"decoding allocated {allocated >> 20} MB");
        // Alternating black/white bits average to mid grey.
        Assert.All(decoded.Pixels.Pixels, v => Assert.InRange(v, 110, 145));
    }

    [Fact]
    public void TruncatedPngAndJpeg_AreRejected_AsFilesAndAsBytes()
    {
        var png = HostileImages.Good("png");
        var jpg = HostileImages.Good("jpg");
        foreach (var (name, bytes) in new[] { ("p100.png", png[..100]), ("phalf.png", png[..(png.Length / 2)]), ("j300.jpg", jpg[..300]), ("jhalf.jpg", jpg[..(jpg.Length / 2)]) })
        {
            var (_, error) = Both(name, bytes, Crop224);
            Assert.NotNull(error);
            Assert.Equal(ImageProblem.Corrupt, error.Problem);
        }
    }

    [Fact]
    public void ValidBmp_DecodesForEveryTarget_LikeTheSamePicturesPng()
    {
        var px = HostileImages.Pattern(3, 96, 64);
        var bmp = HostileImages.Bmp24(96, 64, px);
        using var vips = NetVips.Image.NewFromMemory(px, 96, 64, 3, NetVips.Enums.BandFormat.Uchar);
        var png = vips.PngsaveBuffer();
        foreach (var (target, shrinks) in new[] { (ImageTarget.For(Crop224), false), (new ImageTarget(64, 48, ImageFit.Stretch), false), (ImageTarget.Within(96), false),
                     (new ImageTarget(32, 32, ImageFit.Stretch), true), (new ImageTarget(40, 40, ImageFit.Letterbox), true), (ImageTarget.Within(48), true) })
        {
            var fromBmp = ImageDecoder.Decode(ImageSource.FromBytes(bmp), target);
            var fromPng = ImageDecoder.Decode(ImageSource.FromBytes(png), target);
            Assert.Equal((96, 64), (fromBmp.Width, fromBmp.Height));
            Assert.Equal((fromPng.Pixels.Width, fromPng.Pixels.Height), (fromBmp.Pixels.Width, fromBmp.Pixels.Height));
            if (!shrinks) Assert.Equal(fromPng.Pixels.Pixels, fromBmp.Pixels.Pixels); // same libvips resize: identical
            else
            {
                // BMP averages blocks while reading (shrink-on-load), libvips shrinks the PNG itself: close, not identical.
                double meanDiff = fromPng.Pixels.Pixels.Zip(fromBmp.Pixels.Pixels, (a, b) => Math.Abs(a - b)).Average();
                Assert.True(meanDiff < 6, $"{target}: mean difference {meanDiff:0.0} levels");
            }
        }
        Assert.Equal((96, 64), ImageHeader.DisplaySize(bmp));
    }

    [Fact]
    public void ParallelDecodeErrors_NameTheirOwnFormat()
    {
        // libvips has one process-wide error buffer: its text once leaked into another thread's reason.
        var png = HostileImages.Good("png");
        var jpg = HostileImages.Good("jpg");
        var inputs = Enumerable.Range(0, 400).Select(i => i % 2 == 0
            ? (Name: $"p{i}.png", Bytes: png[..(60 + i % 97 * 7 % (png.Length - 60))], Format: "PNG")
            : (Name: $"j{i}.jpg", Bytes: jpg[..(300 + i % 89 * 13 % (jpg.Length - 300))], Format: "JPEG")).ToList();
        var reasons = new string?[inputs.Count];
        Parallel.For(0, inputs.Count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            try { ImageLoader.Load(inputs[i].Bytes, Crop224, sourceName: inputs[i].Name); }
            catch (ImageDecodeException e) { reasons[i] = $"{e.SourceName}|{e.Reason}"; }
        });
        for (int i = 0; i < inputs.Count; i++)
            Assert.Equal($"{inputs[i].Name}|corrupt or truncated {inputs[i].Format} image", reasons[i]);
    }

    [Fact]
    public void WholeFrameDecoders_AreRefusedFromTheHeader_PastTheMemoryBudget()
    {
        var px = HostileImages.Pattern(4, 600, 400);
        using var vips = NetVips.Image.NewFromMemory(px, 600, 400, 3, NetVips.Enums.BandFormat.Uchar);
        var tight = new ImageLimits { MaxWholeFrameBytes = 500_000 }; // 600x400 = 240,000 px
        var streamed = vips.JpegsaveBuffer();                          // baseline JPEG rows stream: allowed
        Assert.Equal((600, 400), ImageHeader.DisplaySize(streamed));
        ImageDecoder.Decode(ImageSource.FromBytes(streamed), ImageTarget.For(Crop224), tight);
        foreach (var (bytes, variant) in new[] { (vips.JpegsaveBuffer(interlace: true), "progressive JPEG"), (vips.PngsaveBuffer(interlace: true), "interlaced PNG"),
                     (vips.GifsaveBuffer(), "GIF"), (vips.WebpsaveBuffer(), "WebP") })
        {
            var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(ImageSource.FromBytes(bytes), ImageTarget.For(Crop224), tight));
            Assert.Equal(ImageProblem.TooManyPixels, e.Problem);
            Assert.Contains($"600x400 {variant} is decoded whole", e.Reason);
            ImageDecoder.Decode(ImageSource.FromBytes(bytes), ImageTarget.For(Crop224)); // fine within the default budget
        }
    }

    [Fact]
    public void WebpClaimingAHugeCanvas_IsRefusedBeforeLibvipsReadsIt()
    {
        // A VP8X header claiming 16384 x 16384 (1 GB of RGBA) and nothing else.
        var d = new byte[64];
        "RIFF"u8.CopyTo(d); "WEBP"u8.CopyTo(d.AsSpan(8)); "VP8X"u8.CopyTo(d.AsSpan(12));
        d[16] = 10;
        d[24] = 0xFF; d[25] = 0x3F; d[27] = 0xFF; d[28] = 0x3F; // width-1 = height-1 = 16383
        var e = Assert.Throws<ImageDecodeException>(() => ImageHeader.Read(ImageSource.FromBytes(d)));
        Assert.Equal(ImageProblem.TooManyPixels, e.Problem);
        Assert.Contains("16384x16384", e.Reason);
    }

    [Fact]
    public void UltraHdrJpeg_FromAPhone_IsAJpegLikeAnyOther()
    {
        // JPEG with a gain map: libvips reads it with its uhdrload, not jpegload; the format check must accept that.
        var ultraHdr = HostileImages.UltraHdrJpeg(6, 64, 48);
        var header = ImageHeader.Read(ImageSource.FromBytes(ultraHdr));
        Assert.Equal(("jpeg", 64, 48), (header.Format, header.Width, header.Height));
        var (pixels, error) = Both("phone.jpg", ultraHdr, Crop224);
        Assert.Null(error);
        Assert.Equal((224, 224), (pixels!.Width, pixels.Height));
    }
}

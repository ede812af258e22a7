using System.Buffers.Binary;
using System.IO.Compression;
using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Datasets;

public class SyntheticDataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-synth").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes an IDX image file (+ labels) like Fashion-MNIST's, gzip or plain.</summary>
    private string WriteIdx(string name, int magic, int[] dims, byte[] payload, bool gzip)
    {
        var header = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        var path = Path.Combine(_dir, name);
        using var file = File.Create(path);
        using Stream output = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        output.Write(header);
        output.Write(payload);
        return path;
    }

    [Fact]
    public void IdxReader_ReadsImagesAndLabels_GzipOrPlain_AndRejectsBadFiles()
    {
        var pixels = Enumerable.Range(0, 3 * 2 * 4).Select(i => (byte)(i * 10)).ToArray();
        var images = IdxReader.ReadImages(WriteIdx("img.gz", 2051, [3, 2, 4], pixels, gzip: true));
        Assert.Equal((3, 2, 4), (images.Count, images.Rows, images.Cols));
        Assert.Equal(pixels[16..24], images.Image(2).ToArray());
        Assert.Equal([7, 0, 9], IdxReader.ReadLabels(WriteIdx("lab", 2049, [3], [7, 0, 9], gzip: false)));

        Assert.Contains("magic 2049, expected 2051", Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(Path.Combine(_dir, "lab"))).Message);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(WriteIdx("short.gz", 2051, [3, 2, 4], pixels[..10], gzip: true))).Message);
    }

    [Fact]
    public void Shapes_AreSeeded_AndDecodable()
    {
        var a = ShapesDatasetGenerator.Generate(Path.Combine(_dir, "a"), new ShapesOptions { PerClass = 3, Size = 32, Seed = 7 });
        var b = ShapesDatasetGenerator.Generate(Path.Combine(_dir, "b"), new ShapesOptions { PerClass = 3, Size = 32, Seed = 7 });
        var c = ShapesDatasetGenerator.Generate(Path.Combine(_dir, "c"), new ShapesOptions { PerClass = 3, Size = 32, Seed = 8 });
        Assert.Equal(12, a.Count);
        Assert.Equal(ShapesDatasetGenerator.AllShapes, a.Select(x => x.Label).Distinct());
        Assert.Equal(a.Select(x => File.ReadAllBytes(x.Path)), b.Select(x => File.ReadAllBytes(x.Path)));
        Assert.NotEqual(a.Select(x => ImageInspector.Sha256Of(x.Path)), c.Select(x => ImageInspector.Sha256Of(x.Path)));
        var img = ImageLoader.Load(a[0].Path, new PreprocessSpec { Width = 32, Height = 32 });
        Assert.Equal(32 * 32 * 3, img.Pixels.Length);
    }

    [Fact]
    public void Shapes_Circle_CoversRoughlyItsArea()
    {
        var img = ShapesDatasetGenerator.Render("circle", new Random(3), 64);
        // Background and shape colours differ by >= 70 in luma; count the two populations around the corners' colour.
        var corner = img.Pixels[..3];
        int differing = 0;
        for (int i = 0; i < img.Pixels.Length; i += 3)
            if (Math.Abs(img.Pixels[i] - corner[0]) + Math.Abs(img.Pixels[i + 1] - corner[1]) + Math.Abs(img.Pixels[i + 2] - corner[2]) > 60) differing++;
        double share = differing / (64.0 * 64);
        Assert.InRange(share, 0.08, 0.55);     // radius 0.18-0.32 of the side -> 10%-32% of the area
        Assert.Throws<ArgumentException>(() => ShapesDatasetGenerator.Render("hexagon", new Random(1), 16));
    }

    [Fact]
    public async Task FashionMnistDemo_WritesLabelFoldersAndClips_ThatScanCleanly()
    {
        // A fake 2-class "Fashion-MNIST": 5 images of class 0 and 4 of class 1, 28x28.
        int n = 9, side = 28;
        var labels = new byte[] { 0, 1, 0, 1, 0, 1, 0, 1, 0 };
        var pixels = new byte[n * side * side];
        new Random(1).NextBytes(pixels);
        var src = Path.Combine(_dir, "fm"); Directory.CreateDirectory(src);
        File.Move(WriteIdx("i.gz", 2051, [n, side, side], pixels, gzip: true), Path.Combine(src, "train-images-idx3-ubyte.gz"));
        File.Move(WriteIdx("l.gz", 2049, [n], labels, gzip: true), Path.Combine(src, "train-labels-idx1-ubyte.gz"));

        var data = Path.Combine(_dir, "demo");
        var result = await FashionMnistDemoBuilder.BuildAsync(data, new FashionMnistDemoOptions { SourceDir = src, PerClass = 3, ImagesPerVideo = 2 });
        Assert.Equal((6, 2), (result.Images, result.Videos));
        Assert.Equal(["t-shirt_top", "trouser"], result.Labels);
        Assert.Equal(["t-shirt_top-00000.png", "t-shirt_top-00002.png", "t-shirt_top-00004.png", "t-shirt_top-clip.mp4"],
            Directory.GetFiles(Path.Combine(data, "t-shirt_top")).Select(Path.GetFileName).Order());
        var first = ImageLoader.Load(Path.Combine(data, "t-shirt_top", "t-shirt_top-00000.png"), new PreprocessSpec { Width = 28, Height = 28 });
        Assert.Equal(pixels[0], first.Pixels[0]);

        var service = DatasetService.ForDataDir(data);
        var scan = await service.ScanAsync(data);
        Assert.Empty(scan.Problems);
        Assert.Equal(3, scan.FramesExtracted);    // t-shirt clip: 2 images (2 s); trouser clip: 1 image left (1 s)
        Assert.Equal(9, service.Snapshot().Count);

        await Assert.ThrowsAsync<FileNotFoundException>(() => FashionMnistDemoBuilder.BuildAsync(data, new FashionMnistDemoOptions { SourceDir = _dir }));
    }
}

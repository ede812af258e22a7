using Lookout.Core.IO;
using Lookout.Core.Imaging;
using Lookout.Core.Video;

namespace Lookout.Core.Datasets.Synthetic;

public sealed record FashionMnistDemoOptions
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package puts the IDX files.</summary>
    public string SourceDir { get; init; } = "/usr/share/datasets/fashion-mnist";
    /// <summary>"train" or "t10k".</summary>
    public string Set { get; init; } = "train";
    public int PerClass { get; init; } = 300;
    /// <summary>Also write one short clip per class, made from images not used as PNGs (exercises the video path).</summary>
    public bool IncludeVideos { get; init; } = true;
    public int ImagesPerVideo { get; init; } = 6;
    public FfmpegTools Tools { get; init; } = FfmpegTools.Default;
}

public sealed record FashionMnistDemoResult(int Images, int Videos, IReadOnlyList<string> Labels);

/// <summary>
/// Builds a demo data folder from Fashion-MNIST: <c>&lt;label&gt;/&lt;label&gt;-&lt;index&gt;.png</c> (28x28 grey,
/// left small on purpose: the loader resizes) plus <c>&lt;label&gt;/&lt;label&gt;-clip.mp4</c> per class.
/// </summary>
public static class FashionMnistDemoBuilder
{
    public static readonly IReadOnlyList<string> ClassNames =
        ["t-shirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle_boot"];

    private const double ClipFps = 4;

    public static async Task<FashionMnistDemoResult> BuildAsync(string outDir, FashionMnistDemoOptions? options = null, CancellationToken ct = default)
    {
        options ??= new FashionMnistDemoOptions();
        if (options.PerClass < 1) throw new ArgumentOutOfRangeException(nameof(options), "PerClass must be at least 1");
        var imagesPath = Path.Combine(options.SourceDir, $"{options.Set}-images-idx3-ubyte.gz");
        var labelsPath = Path.Combine(options.SourceDir, $"{options.Set}-labels-idx1-ubyte.gz");
        if (!File.Exists(imagesPath) || !File.Exists(labelsPath))
            throw new FileNotFoundException($"Fashion-MNIST not found in {options.SourceDir} (Debian: apt-get install dataset-fashion-mnist)", imagesPath);
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (labels.Length != images.Count) throw new InvalidDataException($"{images.Count} images but {labels.Length} labels");

        int written = 0, videos = 0;
        var used = new List<string>();
        for (int cls = 0; cls < ClassNames.Count; cls++)
        {
            ct.ThrowIfCancellationRequested();
            var indices = Enumerable.Range(0, labels.Length).Where(i => labels[i] == cls).ToList();
            if (indices.Count == 0) continue;
            var name = ClassNames[cls];
            var dir = Path.Combine(outDir, name);
            Directory.CreateDirectory(dir);
            used.Add(name);
            foreach (var i in indices.Take(options.PerClass))
            {
                AtomicFile.WriteAllBytes(Path.Combine(dir, $"{name}-{i:00000}.png"), Png.EncodeGrey(images.Image(i), images.Cols, images.Rows));
                written++;
            }
            var clipImages = indices.Skip(options.PerClass).Take(options.ImagesPerVideo).ToList();
            if (options.IncludeVideos && clipImages.Count > 0)
            {
                await WriteClipAsync(Path.Combine(dir, $"{name}-clip.mp4"), images, clipImages, options.Tools, ct).ConfigureAwait(false);
                videos++;
            }
        }
        return new FashionMnistDemoResult(written, videos, used);
    }

    /// <summary>Each image is held for one second, so 1 fps sampling sees each once.</summary>
    private static async Task WriteClipAsync(string path, IdxImages images, IReadOnlyList<int> indices, FfmpegTools tools, CancellationToken ct)
    {
        await using var writer = FfmpegVideoWriter.Create(path, images.Cols, images.Rows, ClipFps, tools);
        foreach (var i in indices)
        {
            var rgb = GreyToRgb(images.Image(i), images.Cols, images.Rows);
            for (int k = 0; k < ClipFps; k++) await writer.WriteAsync(rgb, ct).ConfigureAwait(false);
        }
        await writer.CompleteAsync(ct).ConfigureAwait(false);
    }

    private static RgbImage GreyToRgb(ReadOnlySpan<byte> grey, int width, int height)
    {
        var px = new byte[grey.Length * 3];
        for (int i = 0; i < grey.Length; i++) px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = grey[i];
        return new RgbImage(width, height, px);
    }
}

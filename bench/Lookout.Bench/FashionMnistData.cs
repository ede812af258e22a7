using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Imaging;
using Lookout.Core.Models;

namespace Lookout.Bench;

/// <summary>Fashion-MNIST from Debian's dataset-fashion-mnist, fed through the real image path (PNG bytes -> ImageLoader).</summary>
internal sealed record FashionMnistSet(IdxImages Images, byte[] Labels)
{
    public const string Dir = "/usr/share/datasets/fashion-mnist";

    public static FashionMnistSet Load(string name) =>
        new(IdxReader.ReadImages(Path.Combine(Dir, $"{name}-images-idx3-ubyte.gz")), IdxReader.ReadLabels(Path.Combine(Dir, $"{name}-labels-idx1-ubyte.gz")));

    public int[] LabelsOf(int[] idx) => idx.Select(i => (int)Labels[i]).ToArray();

    /// <summary>The first <paramref name="k"/> images of each class, in file order.</summary>
    public int[] FirstPerClass(int k, int skip = 0) =>
        Enumerable.Range(0, 10).SelectMany(c => Enumerable.Range(0, Labels.Length).Where(i => Labels[i] == c).Skip(skip).Take(k)).ToArray();

    public RgbImage Input(int i, PreprocessSpec spec) =>
        ImageLoader.Load(Png.EncodeGrey(Images.Image(i), Images.Cols, Images.Rows), spec, sourceName: $"#{i}");

    public float[][] Embed(OnnxImageRunner runner, int[] idx)
    {
        var rows = new float[idx.Length][];
        const int chunk = 256;
        for (int start = 0; start < idx.Length; start += chunk)
        {
            int n = Math.Min(chunk, idx.Length - start);
            var images = new RgbImage[n];
            Parallel.For(0, n, k => images[k] = Input(idx[start + k], runner.Spec));
            runner.Run(images).CopyTo(rows, start);
        }
        return rows;
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}

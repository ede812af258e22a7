using Lookout.Core.Imaging;

namespace Lookout.Core.Training.FineTuning;

/// <summary>Labelled images for fine-tuning. Images are uint8 RGB; the trainer augments and checks their size.</summary>
public interface IFineTuneData
{
    int Count { get; }
    int Label(int index);
    RgbImage Image(int index);
}

/// <summary>Images already in memory (tests, small sets, decoded frames).</summary>
public sealed class InMemoryFineTuneData(IReadOnlyList<RgbImage> images, IReadOnlyList<int> labels) : IFineTuneData
{
    public int Count { get; } = images.Count == labels.Count ? images.Count
        : throw new ArgumentException($"{images.Count} images but {labels.Count} labels.");
    public int Label(int index) => labels[index];
    public RgbImage Image(int index) => images[index];
}

/// <summary>
/// Image files decoded with <see cref="ImageLoader"/> at the model's spec (the serving path's pixels), each decoded
/// once and kept in memory, since every epoch revisits every image.
/// </summary>
public sealed class ImageFileFineTuneData(IReadOnlyList<string> paths, IReadOnlyList<int> labels, PreprocessSpec spec) : IFineTuneData
{
    private readonly RgbImage?[] _decoded = new RgbImage?[paths.Count];

    public int Count { get; } = paths.Count == labels.Count ? paths.Count
        : throw new ArgumentException($"{paths.Count} paths but {labels.Count} labels.");
    public int Label(int index) => labels[index];
    public RgbImage Image(int index) => _decoded[index] ??= ImageLoader.Load(paths[index], spec);
}

using Lookout.Core.Imaging;

namespace Lookout.Server.Models;

/// <summary>
/// What the server needs from a loaded classifier: its input contract, its labels and a thread-safe batched
/// forward pass returning one probability row per image (same order as <see cref="Labels"/>).
/// </summary>
public interface IImageModel : IDisposable
{
    PreprocessSpec Spec { get; }
    IReadOnlyList<string> Labels { get; }
    /// <summary>Backbone name from the model's metadata, or null when the file does not say.</summary>
    string? Backbone { get; }
    float[][] Predict(IReadOnlyList<RgbImage> batch);
}

/// <summary>Loads a model file. Throws <see cref="InvalidDataException"/> (user-facing message) for a bad file.</summary>
public interface IImageModelLoader
{
    /// <summary>File extensions this loader accepts in a models directory, with the dot (".onnx").</summary>
    IReadOnlyList<string> Extensions { get; }
    IImageModel Load(string path);
}

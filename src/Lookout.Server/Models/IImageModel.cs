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
    IReadOnlyList<ModelRow> Predict(IReadOnlyList<RgbImage> batch);
}

/// <summary>One image's answer from a model: probabilities in label order, and the calibrated "unknown" decision if the model has thresholds.</summary>
public sealed record ModelRow(float[] Probabilities, Lookout.Core.Inference.Rejection.RejectionDecision? Rejection = null)
{
    public bool Unknown => Rejection?.Unknown == true;
}

/// <summary>Loads a model file. Throws <see cref="InvalidDataException"/> (user-facing message) for a bad file.</summary>
public interface IImageModelLoader
{
    /// <summary>File extensions this loader accepts in a models directory, with the dot (".onnx").</summary>
    IReadOnlyList<string> Extensions { get; }
    IImageModel Load(string path);
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lookout.Core.Imaging;

/// <summary>How an image is fitted to the model's input size.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ResizeMode>))]
public enum ResizeMode
{
    /// <summary>Scale so the shorter side equals the target, then crop the centre (aspect kept, edges lost).</summary>
    ShorterSideCenterCrop,
    /// <summary>Scale each axis independently to the target (aspect lost, nothing lost).</summary>
    Stretch,
    /// <summary>Scale to fit inside the target and pad the rest with grey (aspect kept, nothing lost).</summary>
    Letterbox,
}

/// <summary>
/// (contract) The model's input: uint8 RGB pixels, HxWx3, after <see cref="Resize"/>. Normalisation
/// <c>(pixel - Mean[c]) / Std[c]</c> with pixels in 0..255 happens inside the ONNX graph, so every caller only
/// has to produce resized uint8 RGB. Written into every exported model as <c>lookout.preprocess</c>.
/// </summary>
public sealed record PreprocessSpec
{
    public int Width { get; init; } = 224;
    public int Height { get; init; } = 224;
    public ResizeMode Resize { get; init; } = ResizeMode.ShorterSideCenterCrop;
    /// <summary>Per-channel mean in 0..255 units (RGB order).</summary>
    public float[] Mean { get; init; } = [0f, 0f, 0f];
    /// <summary>Per-channel std in 0..255 units (RGB order); 255 maps pixels to 0..1.</summary>
    public float[] Std { get; init; } = [255f, 255f, 255f];
    /// <summary>True when the network wants BGR (the graph swaps channels; inputs stay RGB).</summary>
    public bool Bgr { get; init; }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static PreprocessSpec FromJson(string json) =>
        JsonSerializer.Deserialize<PreprocessSpec>(json, Json) ?? throw new InvalidDataException("Empty preprocess spec.");

    /// <summary>Short stable hash of the spec, for cache keys.</summary>
    public string Fingerprint() => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson())))[..16].ToLowerInvariant();

    public bool Equals(PreprocessSpec? other) => other is not null && ToJson() == other.ToJson();
    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);
}

using System.Security.Cryptography;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.Backbones;

/// <summary>
/// A feature extractor as training sees it: any ONNX file with input <c>image</c> uint8 [N,H,W,3] (RGB, already
/// resized per <see cref="Spec"/>) and float output <c>embedding</c> [N,D]. Generated and pretrained backbones are
/// the same type, so the training, export and inference paths cannot diverge between them.
/// </summary>
/// <param name="Id">Stable, human-readable name recorded in runs and exported models (e.g. <c>generated-s42-64</c>).</param>
/// <param name="ModelHash">Short content hash of the ONNX file: part of the embedding cache key, so a changed file never reuses stale vectors.</param>
public sealed record Backbone(string Id, string OnnxPath, PreprocessSpec Spec, int EmbeddingDim, string ModelHash)
{
    public const string InputName = ImageInputPrologue.InputName;
    public const string OutputName = "embedding";
    public const string PreprocessKey = "lookout.preprocess";
    public const string IdKey = "lookout.backbone";

    /// <summary>Cache key part that identifies both the backbone and its exact weights.</summary>
    public string CacheKey => $"{Id}@{ModelHash}";

    /// <summary>
    /// Describes an existing backbone ONNX file, checking the contract (input <c>image</c> uint8 NHWC, output
    /// <c>embedding</c> with a fixed last dimension). The spec comes from the file's <c>lookout.preprocess</c>
    /// metadata unless given; the id from <c>lookout.backbone</c>, else the file name.
    /// </summary>
    public static Backbone FromOnnx(string onnxPath, string? id = null, PreprocessSpec? spec = null)
    {
        var model = OnnxReader.ReadSignature(onnxPath);
        var input = model.Graph.Inputs.FirstOrDefault(i => i.Name == InputName)
            ?? throw new InvalidDataException($"Backbone {onnxPath} has no input named '{InputName}'.");
        if (input.ElemType != OnnxDataType.Uint8)
            throw new InvalidDataException($"Backbone {onnxPath}: input '{InputName}' must be uint8, is {input.ElemType}.");
        var output = model.Graph.Outputs.FirstOrDefault(o => o.Name == OutputName)
            ?? throw new InvalidDataException($"Backbone {onnxPath} has no output named '{OutputName}'.");
        if (output.Shape is not { Count: 2 } shape || shape[1].Value is not { } dim)
            throw new InvalidDataException($"Backbone {onnxPath}: output '{OutputName}' must have shape [N,D] with a fixed D.");

        if (spec is null)
        {
            if (!model.Metadata.TryGetValue(PreprocessKey, out var json))
                throw new InvalidDataException($"Backbone {onnxPath} has no '{PreprocessKey}' metadata; pass the preprocess spec explicitly.");
            spec = PreprocessSpec.FromJson(json);
        }
        if (input.Shape is { Count: 4 } s && (s[1].Value is { } h && h != spec.Height || s[2].Value is { } w && w != spec.Width))
            throw new InvalidDataException($"Backbone {onnxPath}: input is {s[2]}x{s[1]} but the spec says {spec.Width}x{spec.Height}.");

        id ??= model.Metadata.GetValueOrDefault(IdKey) ?? Path.GetFileNameWithoutExtension(onnxPath);
        return new Backbone(id, Path.GetFullPath(onnxPath), spec, checked((int)dim), HashFile(onnxPath));
    }

    /// <summary>
    /// Short SHA-256 of the file, remembered in a <c>.sha256</c> file beside it together with the size and write time
    /// it was computed for, so resolving a large backbone on every run does not rehash it.
    /// </summary>
    internal static string HashFile(string path)
    {
        var info = new FileInfo(path);
        var stamp = $"{info.Length} {info.LastWriteTimeUtc.Ticks}";
        var sidecar = path + ".sha256";
        try
        {
            if (File.Exists(sidecar) && File.ReadAllText(sidecar).Split(' ') is [var len, var ticks, var known] && $"{len} {ticks}" == stamp)
                return known.Trim();
        }
        catch (IOException) { /* unreadable sidecar: hash again */ }
        string hash;
        using (var fs = File.OpenRead(path)) hash = Convert.ToHexString(SHA256.HashData(fs))[..12].ToLowerInvariant();
        try { IO.AtomicFile.WriteAllText(sidecar, $"{stamp} {hash}"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* read-only folder: hash each time */ }
        return hash;
    }
}

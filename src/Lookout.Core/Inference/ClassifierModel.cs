using System.Runtime.CompilerServices;
using System.Text.Json;
using Lookout.Core.IO;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Models;
using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Inference;

/// <summary>
/// An exported Lookout classifier, loaded once and shared: labels and preprocessing come from the file's metadata,
/// inference runs in batches on one thread-safe ONNX Runtime session. Every path (single image, bytes, files,
/// directory, evaluation) goes through <see cref="OnnxImageRunner"/>, so the same image always gets the same scores.
/// </summary>
public sealed class ClassifierModel : IDisposable
{
    private static readonly HashSet<string> ImageExtensions =
        new([".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"], StringComparer.OrdinalIgnoreCase);

    private readonly OnnxImageRunner _runner;
    private readonly Rejector? _rejector;

    private ClassifierModel(string path, IReadOnlyList<string> labels, PreprocessSpec spec, IReadOnlyDictionary<string, string> metadata,
        RejectionThresholds? thresholds, OnnxRunnerOptions? options)
    {
        ModelPath = path;
        Labels = labels;
        Spec = spec;
        Metadata = metadata;
        _rejector = thresholds is null ? null : new Rejector(thresholds);
        // The embedding is fetched in the same session call only when thresholds need it.
        _runner = new OnnxImageRunner(path, ModelMetadata.ProbsOutput, spec, options, thresholds is null ? null : ModelMetadata.EmbeddingOutput);
        if (_runner.OutputDim > 0 && _runner.OutputDim != labels.Count)
        {
            _runner.Dispose();
            throw new InvalidDataException($"{path}: output '{ModelMetadata.ProbsOutput}' has {_runner.OutputDim} classes but metadata lists {labels.Count} labels.");
        }
    }

    public string ModelPath { get; }
    public IReadOnlyList<string> Labels { get; }
    public PreprocessSpec Spec { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public string? BackboneId => Metadata.GetValueOrDefault(ModelMetadata.Backbone);
    public string? RunId => Metadata.GetValueOrDefault(ModelMetadata.Run);
    /// <summary>Calibrated "unknown" thresholds, when the model has them; then every result carries a <see cref="RejectionDecision"/>.</summary>
    public RejectionThresholds? Thresholds => _rejector?.Thresholds;

    /// <summary>Opens an exported model; a file that is not a Lookout classifier gets a clear <see cref="InvalidDataException"/>.</summary>
    public static ClassifierModel Load(string onnxPath, OnnxRunnerOptions? options = null)
    {
        if (!File.Exists(onnxPath)) throw new FileNotFoundException($"Model not found: {onnxPath}", onnxPath);
        Dictionary<string, string> meta;
        try { meta = OnnxReader.ReadMetadata(onnxPath); }
        catch (Google.Protobuf.InvalidProtocolBufferException e) { throw new InvalidDataException($"Not a valid ONNX file: {onnxPath}", e); }
        if (!meta.TryGetValue(ModelMetadata.Labels, out var labelsJson) || !meta.TryGetValue(ModelMetadata.Preprocess, out var specJson))
            throw new InvalidDataException($"{onnxPath} is not a Lookout classifier (missing {ModelMetadata.Labels} / {ModelMetadata.Preprocess} metadata).");
        var labels = JsonSerializer.Deserialize<string[]>(labelsJson) ?? throw new InvalidDataException($"{onnxPath}: empty label list.");
        var thresholds = meta.TryGetValue(ModelMetadata.Thresholds, out var tJson) ? RejectionThresholds.FromJson(tJson) : null;
        return new ClassifierModel(onnxPath, labels, PreprocessSpec.FromJson(specJson), meta, thresholds, options);
    }

    /// <summary>Probability rows (label order) for already-resized images. Thread-safe.</summary>
    public float[][] Probabilities(IReadOnlyList<RgbImage> images) => _runner.Run(images);

    public IReadOnlyList<Prediction> Classify(RgbImage image, int top = 5) => TopK(Probabilities([image])[0], top);

    /// <summary>Classifies one already-resized image, with the "unknown" decision when the model is calibrated.</summary>
    public ClassifyResult ClassifyImage(RgbImage image, int top = 5, string sourceName = "image")
    {
        var (probs, extra) = _runner.RunWithExtra([image]);
        return Result(sourceName, probs[0], extra?[0], top);
    }

    /// <summary>Classifies already-resized images in one forward pass (the server's micro-batches), each with its "unknown" decision.</summary>
    public IReadOnlyList<ClassifyResult> ClassifyImages(IReadOnlyList<RgbImage> images, int top = 5)
    {
        var (probs, extra) = _runner.RunWithExtra(images);
        return probs.Select((p, i) => Result($"image{i}", p, extra?[i], top)).ToList();
    }

    /// <summary>Decodes and classifies encoded image bytes (an upload); a bad image becomes an error result.</summary>
    public ClassifyResult Classify(byte[] data, int top = 5, string sourceName = "upload")
    {
        RgbImage image;
        try { image = ImageLoader.Load(data, Spec, sourceName: sourceName); }
        catch (ImageDecodeException e) { return new ClassifyResult(sourceName, [], null, e.Reason); }
        return ClassifyImage(image, top, sourceName);
    }

    /// <summary>Classifies files in parallel-decoded batches, in input order; unreadable files become error results.</summary>
    public async IAsyncEnumerable<ClassifyResult> ClassifyFilesAsync(IReadOnlyList<string> paths, int top = 5,
        IProgress<BatchProgress>? progress = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var o in _runner.RunFilesAsync(paths, progress, ct))
            yield return o.Output is { } p ? Result(o.Source, p, o.Extra, top) : new ClassifyResult(o.Source, [], null, o.Error);
    }

    /// <summary>Classifies encoded images already in memory (a bulk-job batch) through the same pipeline as files, in input order.</summary>
    public async IAsyncEnumerable<ClassifyResult> ClassifySourcesAsync(IReadOnlyList<ImageSource> sources, int top = 5,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var o in _runner.RunSourcesAsync(sources, null, ct))
            yield return o.Output is { } p ? Result(o.Source, p, o.Extra, top) : new ClassifyResult(o.Source, [], null, o.Error);
    }

    /// <summary>
    /// Classifies every image file (by extension) under <paramref name="dir"/>, sorted by path; then every entry the
    /// safe walk skipped (special files, links out of the folder, unreadable folders...) as an error result.
    /// </summary>
    public async IAsyncEnumerable<ClassifyResult> ClassifyDirectoryAsync(string dir, bool recursive = true, int top = 5,
        IProgress<BatchProgress>? progress = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var walk = ImageFileWalk(dir, recursive);
        await foreach (var r in ClassifyFilesAsync(walk.Files.Select(f => f.FullPath).ToList(), top, progress, ct)) yield return r;
        foreach (var s in walk.Skipped) yield return new ClassifyResult(Path.Join(walk.Root, s.RelativePath), [], null, s.Reason);
    }

    /// <summary>The image files (by extension) under a folder, walked with the <see cref="FileWalker"/> safety policy.</summary>
    public static FolderWalk ImageFileWalk(string dir, bool recursive = true) =>
        FileWalker.Walk(dir, new WalkOptions { Recursive = recursive, Include = name => ImageExtensions.Contains(Path.GetExtension(name)) });

    public static IReadOnlyList<string> ImageFiles(string dir, bool recursive = true) =>
        ImageFileWalk(dir, recursive).Files.Select(f => f.FullPath).ToList();

    private ClassifyResult Result(string source, float[] probs, float[]? embedding, int top)
    {
        var ranked = TopK(probs, top);
        var rejection = _rejector is not null && embedding is not null ? _rejector.Decide(Labels, probs, embedding) : null;
        // The background class winning is the answer "unknown" (see BackgroundClass), calibrated or not.
        if (ranked.Count > 0 && BackgroundClass.Is(ranked[0].Label))
            rejection = new RejectionDecision(true, ranked[0].Label, ranked[0].Score, rejection?.Similarity ?? float.NaN, BackgroundClass.DisplayName);
        return new(source, ranked, probs, null) { Rejection = rejection };
    }

    /// <summary>The <paramref name="k"/> best classes, highest first (ties keep label order).</summary>
    public IReadOnlyList<Prediction> TopK(float[] probs, int k) => Prediction.Rank(Labels, probs, k);

    public void Dispose() => _runner.Dispose();
}

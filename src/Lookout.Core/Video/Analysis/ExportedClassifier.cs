using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lookout.Core.Video.Analysis;

/// <summary>
/// Loads an exported Lookout classifier (input <c>image</c> uint8 [N,H,W,3], output <c>probs</c>, metadata
/// <c>lookout.labels</c> and <c>lookout.preprocess</c>) for the video and watch paths.
/// </summary>
public sealed class ExportedClassifier : IImageClassifier
{
    private readonly InferenceSession _session;

    private ExportedClassifier(string path, InferenceSession session, IReadOnlyList<string> labels, PreprocessSpec spec)
    {
        Name = Path.GetFileName(path);
        _session = session;
        Labels = labels;
        Spec = spec;
    }

    public string Name { get; }
    public IReadOnlyList<string> Labels { get; }
    public PreprocessSpec Spec { get; }

    public static ExportedClassifier Load(string path, int intraOpThreads = 0)
    {
        if (!File.Exists(path)) throw new LookoutException($"{path}: model file not found");
        var meta = OnnxReader.ReadMetadata(path);
        if (!meta.TryGetValue("lookout.labels", out var labelsJson) || !meta.TryGetValue("lookout.preprocess", out var specJson))
            throw new LookoutException($"{path}: not a Lookout classifier (metadata lookout.labels / lookout.preprocess missing)");
        var labels = JsonSerializer.Deserialize<string[]>(labelsJson) ?? [];
        var spec = PreprocessSpec.FromJson(specJson);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (intraOpThreads > 0) options.IntraOpNumThreads = intraOpThreads;
        InferenceSession session;
        try { session = new InferenceSession(path, options); }
        catch (OnnxRuntimeException e) { throw new LookoutException($"{path}: ONNX Runtime cannot load it ({e.Message})", e); }
        if (!session.OutputMetadata.ContainsKey("probs"))
        {
            session.Dispose();
            throw new LookoutException($"{path}: the model has no 'probs' output");
        }
        return new ExportedClassifier(path, session, labels, spec);
    }

    public float[][] Predict(IReadOnlyList<RgbImage> fitted)
    {
        if (fitted.Count == 0) return [];
        int per = Spec.Width * Spec.Height * 3;
        var buffer = new byte[fitted.Count * per];
        for (int i = 0; i < fitted.Count; i++)
        {
            var img = fitted[i];
            if (img.Width != Spec.Width || img.Height != Spec.Height)
                throw new ArgumentException($"image {i} is {img.Width}x{img.Height}, the model takes {Spec.Width}x{Spec.Height}");
            Buffer.BlockCopy(img.Pixels, 0, buffer, i * per, per);
        }
        var input = new DenseTensor<byte>(buffer, [fitted.Count, Spec.Height, Spec.Width, 3]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(ImageInputPrologue.InputName, input)], ["probs"]);
        var flat = results[0].AsTensor<float>().ToArray();
        int dim = flat.Length / fitted.Count;
        return Enumerable.Range(0, fitted.Count).Select(i => flat.AsSpan(i * dim, dim).ToArray()).ToArray();
    }

    public void Dispose() => _session.Dispose();
}

using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models;
using Microsoft.ML.OnnxRuntime;

namespace Lookout.Server.Models;

/// <summary>Serves exported Lookout classifiers through Core's <see cref="ClassifierModel"/> (the one loader).</summary>
public sealed class ClassifierModelLoader(OnnxRunnerOptions? runnerOptions = null) : IImageModelLoader
{
    public IReadOnlyList<string> Extensions { get; } = [".onnx"];

    public IImageModel Load(string path)
    {
        ClassifierImageModel model;
        try { model = new ClassifierImageModel(ClassifierModel.Load(path, runnerOptions)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: unreadable model metadata ({e.Message})", e); }
        // One pass on a grey picture before the model serves: ONNX Runtime's first run sets up its memory and kernels
        // (the first request, or the first after a hot swap, would pay for it), and a file that loads but cannot run
        // is refused here, so the version already serving keeps serving.
        try { model.Predict([new RgbImage(model.Spec.Width, model.Spec.Height, Grey(model.Spec.Width * model.Spec.Height * 3))]); }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException or ArgumentException)
        {
            model.Dispose();
            throw new InvalidDataException($"{path}: the model loads but cannot run ({e.Message})", e);
        }
        return model;
    }

    private static byte[] Grey(int length)
    {
        var pixels = new byte[length];
        Array.Fill(pixels, (byte)128);
        return pixels;
    }

    private sealed class ClassifierImageModel(ClassifierModel model) : IImageModel
    {
        public PreprocessSpec Spec => model.Spec;
        public IReadOnlyList<string> Labels => model.Labels;
        public string? Backbone => model.BackboneId;
        public IReadOnlyList<ModelRow> Predict(IReadOnlyList<RgbImage> batch) =>
            model.ClassifyImages(batch, top: 1).Select(r => new ModelRow(r.Probabilities!, r.Rejection)).ToList();
        public void Dispose() => model.Dispose();
    }
}

using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models;

namespace Lookout.Server.Models;

/// <summary>Serves exported Lookout classifiers through Core's <see cref="ClassifierModel"/> (the one loader).</summary>
public sealed class ClassifierModelLoader(OnnxRunnerOptions? runnerOptions = null) : IImageModelLoader
{
    public IReadOnlyList<string> Extensions { get; } = [".onnx"];

    public IImageModel Load(string path)
    {
        try { return new ClassifierImageModel(ClassifierModel.Load(path, runnerOptions)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: unreadable model metadata ({e.Message})", e); }
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

using System.Collections.Concurrent;
using System.Diagnostics;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lookout.Core.Tests.Models.TfJs;

/// <summary>Converts each catalog model once per test run (in memory, never from a possibly stale cache file).</summary>
public sealed class ConvertedModelsFixture : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<(InferenceSession Session, OnnxModel Model, TimeSpan Time)>> _models = new();
    private readonly ModelCatalog _catalog = new(LookoutCache.Root());

    public (InferenceSession Session, OnnxModel Model, TimeSpan ConvertTime) Get(string name) =>
        _models.GetOrAdd(name, n => new Lazy<(InferenceSession, OnnxModel, TimeSpan)>(() =>
        {
            var sw = Stopwatch.StartNew();
            var model = _catalog.Build(n);
            var bytes = OnnxWriter.Serialize(model);
            sw.Stop();
            return (new InferenceSession(bytes), model, sw.Elapsed);
        })).Value;

    /// <summary>Runs a model on the deterministic uint8 image and returns every output by name.</summary>
    public Dictionary<string, (int[] Shape, float[] Data)> Run(string name, int size, int batch = 1) =>
        Run(name, size, Enumerable.Repeat(Goldens.Image(size), batch).ToArray());

    /// <summary>Runs a model on the given uint8 NHWC images (each size x size x 3) as one batch.</summary>
    public Dictionary<string, (int[] Shape, float[] Data)> Run(string name, int size, IReadOnlyList<byte[]> images)
    {
        var session = Get(name).Session;
        var pixels = images.SelectMany(i => i).ToArray();
        var input = new DenseTensor<byte>(pixels, [images.Count, size, size, 3]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("image", input)]);
        return results.ToDictionary(r => r.Name, r =>
        {
            var t = r.AsTensor<float>();
            return (t.Dimensions.ToArray(), t.ToArray());
        });
    }

    public void Dispose()
    {
        foreach (var lazy in _models.Values.Where(l => l.IsValueCreated)) lazy.Value.Session.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ConvertedModelsCollection : ICollectionFixture<ConvertedModelsFixture>
{
    public const string Name = "converted-models";
}

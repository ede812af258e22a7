using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.Server.Models;
using NetVips;
using Lookout.TestSupport;

namespace Lookout.Server.Tests;

/// <summary>
/// Real exported-model-shaped ONNX files built in code: uint8 image -> in-graph normalisation -> mean colour ->
/// Gemm -> Softmax "probs", with lookout.labels / lookout.preprocess metadata. A red image scores highest on the
/// first label, green on the second, blue on the third.
/// </summary>
internal static class TestModels
{
    public static readonly PreprocessSpec Spec = new() { Width = 8, Height = 8, Resize = ResizeMode.Stretch };

    /// <summary>Red, green, blue by the dominant channel of the mean colour (<paramref name="sharpness"/> scales the logits).</summary>
    public static byte[] ColourClassifier(string[] labels, float sharpness = 8f) =>
        OnnxWriter.Serialize(MeanColourClassifier.Build(labels, Spec, Diagonal(sharpness), [0, 0, 0]));

    /// <summary>The colour classifier with calibrated "unknown": probability and cosine to the pure colour >= 0.9, so grey is unknown.</summary>
    public static byte[] CalibratedColourClassifier(string[] labels) =>
        OnnxWriter.Serialize(MeanColourClassifier.Build(labels, Spec, Diagonal(8f), [0, 0, 0],
            MeanColourClassifier.Thresholds(labels, [[1, 0, 0], [0, 1, 0], [0, 0, 1]])));

    /// <summary>
    /// A file that loads (a valid graph with the right metadata) but fails when it runs: the logits pass through a
    /// reshape to rows of 5, which one image's 3 logits never fill.
    /// </summary>
    public static byte[] ClassifierThatCannotRun(string[] labels) =>
        OnnxWriter.Serialize(MeanColourClassifier.Build(labels, Spec, Diagonal(8f), [0, 0, 0], betweenLogitsAndSoftmax: (b, logits) =>
            b.Node("Reshape", [b.Node("Reshape", [logits, b.Int64s("rows_of_5", [-1, 5], 2)]), b.Int64s("rows_of_3", [-1, 3], 2)])));

    private static float[] Diagonal(float v) => [v, 0, 0, 0, v, 0, 0, 0, v];

    /// <summary>Writes atomically (temp + rename), as exports do, so a watcher never sees half a file.</summary>
    public static string Write(string directory, string name, byte[] onnx)
    {
        var path = Path.Combine(directory, name + ".onnx");
        var temp = Path.Combine(directory, $".{name}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temp, onnx);
        File.Move(temp, path, overwrite: true);
        return path;
    }

    public static byte[] SolidImage(int r, int g, int b, int width = 40, int height = 30, string format = ".png")
    {
        using var black = Image.Black(width, height, bands: 3);
        using var coloured = black.Linear(new double[] { 1, 1, 1 }, new double[] { r, g, b });
        using var bytes = coloured.Cast(Enums.BandFormat.Uchar);
        return bytes.WriteToBuffer(format);
    }
}

/// <summary>Records whether the server disposed a model version (it must, once its last request is done).</summary>
internal sealed class TrackedModel(IImageModel inner) : IImageModel
{
    private int _disposed;
    public bool Disposed => Volatile.Read(ref _disposed) != 0;
    public PreprocessSpec Spec => inner.Spec;
    public IReadOnlyList<string> Labels => inner.Labels;
    public string? Backbone => inner.Backbone;
    public IReadOnlyList<ModelRow> Predict(IReadOnlyList<RgbImage> batch) =>
        Disposed ? throw new ObjectDisposedException("model", "used after dispose") : inner.Predict(batch);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) inner.Dispose();
    }
}

/// <summary>A loader whose models the test can see (to check disposal after a swap) and wrap (to slow them down).</summary>
internal sealed class TestLoader(Func<IImageModel, IImageModel>? wrap = null) : IImageModelLoader
{
    private readonly ClassifierModelLoader _real = new();
    private readonly List<TrackedModel> _loaded = [];
    public IReadOnlyList<string> Extensions => _real.Extensions;

    public IReadOnlyList<TrackedModel> Loaded { get { lock (_loaded) return _loaded.ToList(); } }

    public IImageModel Load(string path)
    {
        var tracked = new TrackedModel(_real.Load(path));
        lock (_loaded) _loaded.Add(tracked);
        return wrap is null ? tracked : wrap(tracked);
    }
}

/// <summary>Wraps a model so a test can hold forward passes at a gate and see the batch sizes it got.</summary>
internal sealed class GatedModel(IImageModel inner) : IImageModel
{
    private readonly List<int> _batches = [];
    public ManualResetEventSlim Gate { get; } = new(true);
    public SemaphoreSlim Entered { get; } = new(0);
    public bool Throw { get; set; }
    public IImageModel Inner => inner;

    public PreprocessSpec Spec => inner.Spec;
    public IReadOnlyList<string> Labels => inner.Labels;
    public string? Backbone => inner.Backbone;
    public IReadOnlyList<int> Batches { get { lock (_batches) return _batches.ToList(); } }

    public IReadOnlyList<ModelRow> Predict(IReadOnlyList<RgbImage> batch)
    {
        lock (_batches) _batches.Add(batch.Count);
        Entered.Release();
        if (!Gate.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("test gate never opened");
        if (Throw) throw new InvalidOperationException("boom at /secret/path/model.onnx");
        return inner.Predict(batch);
    }

    public void Dispose() => inner.Dispose();
}

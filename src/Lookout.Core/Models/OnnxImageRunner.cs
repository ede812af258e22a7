using Lookout.Core.Imaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lookout.Core.Models;

/// <summary>Result for one input image: the model output row, or a user-facing reason it could not be used.</summary>
public sealed record ImageOutcome(int Index, string Source, float[]? Output, string? Error)
{
    public bool Ok => Output is not null;
    /// <summary>The row of the runner's extra output (e.g. a classifier's <c>embedding</c>), when one was requested.</summary>
    public float[]? Extra { get; init; }
}

/// <summary>Progress of a batched run: images done (including failures), total, failures, throughput.</summary>
public sealed record BatchProgress(int Done, int Total, int Failed, double ImagesPerSecond);

public sealed record OnnxRunnerOptions
{
    /// <summary>
    /// Most images per session call. ONNX Runtime's arena keeps the largest batch's activations for the session's
    /// life, so this bounds memory (a 224-px backbone: ~180 MB at 8, ~430 MB at 32) while per-image CPU barely
    /// changes above 8 on a CPU.
    /// </summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Files decoded at once by file runs; 0 = one per core.</summary>
    public int DecodeParallelism { get; init; }
    /// <summary>Threads running forward passes in file runs (each takes its own batch); 1 is enough when decoding dominates.</summary>
    public int InferenceWorkers { get; init; } = 1;
    /// <summary>ONNX Runtime intra-op threads per session call; 0 = runtime default (one per core).</summary>
    public int IntraOpThreads { get; init; }
    public ImageLimits Limits { get; init; } = ImageLimits.Default;

    public static OnnxRunnerOptions Default { get; } = new();

    /// <summary>
    /// Session settings shared by every Lookout ONNX session. Spinning is off: ORT's intra-op threads otherwise
    /// busy-wait between ops and after each call, taking the cores that decoders and HTTP requests need (measured:
    /// batch-1 CPU per image 16.1 ms with spinning vs 10.4 ms without, same wall time).
    /// </summary>
    public SessionOptions CreateSessionOptions()
    {
        var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        so.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        if (IntraOpThreads > 0) so.IntraOpNumThreads = IntraOpThreads;
        return so;
    }
}

/// <summary>
/// Runs an image ONNX model (input <c>image</c> uint8 [N,H,W,3]) and returns one named float output per image.
/// One <see cref="InferenceSession"/>, shared by all callers (ONNX Runtime's Run is thread-safe). File runs decode on
/// every core while the model works (<see cref="ImageFilePipeline"/>), with bounded queues, so memory stays flat for
/// any number of files. The embedding extractor and the classifier both use this one path.
/// </summary>
public sealed class OnnxImageRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _outputName;
    private readonly string? _extraOutput;
    private readonly OnnxRunnerOptions _options;

    /// <param name="extraOutput">A second float output fetched in the same session call (rows in <see cref="ImageOutcome.Extra"/>).</param>
    public OnnxImageRunner(string onnxPath, string outputName, PreprocessSpec spec, OnnxRunnerOptions? options = null, string? extraOutput = null)
    {
        _options = options ?? OnnxRunnerOptions.Default;
        if (_options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "Batch size must be at least 1.");
        if (_options.InferenceWorkers < 1) throw new ArgumentOutOfRangeException(nameof(options), "At least one inference worker is needed.");
        using var so = _options.CreateSessionOptions();
        try { _session = new InferenceSession(onnxPath, so); }
        catch (OnnxRuntimeException e) { throw new InvalidDataException($"ONNX Runtime cannot load {onnxPath}: {e.Message}", e); }
        if (!_session.OutputMetadata.ContainsKey(outputName))
        {
            _session.Dispose();
            throw new InvalidDataException($"{onnxPath} has no output named '{outputName}'.");
        }
        if (extraOutput is not null && !_session.OutputMetadata.ContainsKey(extraOutput))
        {
            _session.Dispose();
            throw new InvalidDataException($"{onnxPath} has no output named '{extraOutput}'.");
        }
        _outputName = outputName;
        _extraOutput = extraOutput;
        Spec = spec;
        OutputDim = _session.OutputMetadata[outputName].Dimensions[^1];
    }

    public PreprocessSpec Spec { get; }
    /// <summary>Length of each output row (the last dimension), or -1 if the model leaves it symbolic.</summary>
    public int OutputDim { get; }
    public int BatchSize => _options.BatchSize;

    /// <summary>Runs already-resized images, at most <see cref="BatchSize"/> per session call. Thread-safe.</summary>
    public float[][] Run(IReadOnlyList<RgbImage> images) => RunOutputs(images, [_outputName]).Select(perImage => perImage[0]).ToArray();

    /// <summary>Like <see cref="Run"/>, also returning the extra output's rows (null without an extra output).</summary>
    public (float[][] Main, float[][]? Extra) RunWithExtra(IReadOnlyList<RgbImage> images)
    {
        if (_extraOutput is null) return (Run(images), null);
        var rows = RunOutputs(images, [_outputName, _extraOutput]);
        return (rows.Select(r => r[0]).ToArray(), rows.Select(r => r[1]).ToArray());
    }

    /// <summary>
    /// Runs already-resized images and returns, per image, one flattened row per requested output (in the order of
    /// <paramref name="outputNames"/>), for models with several outputs (detectors). Thread-safe.
    /// </summary>
    public float[][][] RunOutputs(IReadOnlyList<RgbImage> images, IReadOnlyList<string> outputNames)
    {
        foreach (var name in outputNames)
            if (!_session.OutputMetadata.ContainsKey(name)) throw new ArgumentException($"The model has no output named '{name}'.", nameof(outputNames));
        if (images.Count <= _options.BatchSize) return RunBatch(images, outputNames);
        var rows = new List<float[][]>(images.Count);
        for (int start = 0; start < images.Count; start += _options.BatchSize)
            rows.AddRange(RunBatch(images.Skip(start).Take(_options.BatchSize).ToList(), outputNames));
        return [.. rows];
    }

    private float[][][] RunBatch(IReadOnlyList<RgbImage> images, IReadOnlyList<string> outputNames)
    {
        if (images.Count == 0) return [];
        int h = Spec.Height, w = Spec.Width, per = h * w * 3;
        var buffer = new byte[images.Count * per];
        for (int i = 0; i < images.Count; i++)
        {
            var img = images[i];
            if (img.Width != w || img.Height != h || img.Pixels.Length != per)
                throw new ArgumentException($"Image {i} is {img.Width}x{img.Height}, the model takes {w}x{h}.", nameof(images));
            img.Pixels.CopyTo(buffer, i * per);
        }
        var input = new DenseTensor<byte>(buffer, [images.Count, h, w, 3]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(Backbones.Backbone.InputName, input)], outputNames);
        var rows = new float[images.Count][][];
        for (int i = 0; i < rows.Length; i++) rows[i] = new float[outputNames.Count][];
        for (int o = 0; o < outputNames.Count; o++)
        {
            var output = results[o].AsTensor<float>();
            int dim = (int)(output.Length / images.Count);
            var flat = output is DenseTensor<float> dense ? dense.Buffer.Span : output.ToArray();
            for (int i = 0; i < rows.Length; i++) rows[i][o] = flat.Slice(i * dim, dim).ToArray();
        }
        return rows;
    }

    /// <summary>
    /// Decodes and runs every file, yielding outcomes in input order; decoding and inference overlap on all cores
    /// (<see cref="ImageFilePipeline"/>). Unreadable files become outcomes with an <see cref="ImageOutcome.Error"/>;
    /// they never fail the run.
    /// </summary>
    public IAsyncEnumerable<ImageOutcome> RunFilesAsync(IReadOnlyList<string> paths, IProgress<BatchProgress>? progress = null,
        CancellationToken ct = default) =>
        new ImageFilePipeline(this, _options).RunAsync(paths, RunWithExtra, progress, ct);

    /// <summary>
    /// Like <see cref="RunFilesAsync"/> for encoded images already in memory (a bulk-job batch): the same decoders,
    /// limits and overlap of decoding with the model; outcomes carry each source's name.
    /// </summary>
    public IAsyncEnumerable<ImageOutcome> RunSourcesAsync(IReadOnlyList<ImageSource> sources, IProgress<BatchProgress>? progress = null,
        CancellationToken ct = default) =>
        new ImageFilePipeline(this, _options).RunAsync(sources.Select(s => s.Name).ToList(),
            i => ImageLoader.Load(sources[i].Bytes, Spec, _options.Limits, sources[i].Name), RunWithExtra, progress, ct);

    public void Dispose() => _session.Dispose();

}

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
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
    public int BatchSize { get; init; } = 32;
    /// <summary>Parallel image decodes; 0 = one per core.</summary>
    public int DecodeParallelism { get; init; }
    /// <summary>ONNX Runtime intra-op threads; 0 = runtime default (one per core).</summary>
    public int IntraOpThreads { get; init; }
    public ImageLimits Limits { get; init; } = ImageLimits.Default;

    public static OnnxRunnerOptions Default { get; } = new();
}

/// <summary>
/// Runs an image ONNX model (input <c>image</c> uint8 [N,H,W,3]) and returns one named float output per image.
/// One <see cref="InferenceSession"/>, shared by all callers (ONNX Runtime's Run is thread-safe). File runs decode the
/// next batch in parallel while the current one is inferred; at most two decoded batches are held, so memory stays
/// flat for any number of files. The embedding extractor and the classifier both use this one path.
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
        using var so = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (_options.IntraOpThreads > 0) so.IntraOpNumThreads = _options.IntraOpThreads;
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
    /// Decodes and runs every file, yielding outcomes in input order. Unreadable files become outcomes with an
    /// <see cref="ImageOutcome.Error"/>; they never fail the run.
    /// </summary>
    public async IAsyncEnumerable<ImageOutcome> RunFilesAsync(IReadOnlyList<string> paths, IProgress<BatchProgress>? progress = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var channel = Channel.CreateBounded<DecodedBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        // Cancelled when the caller stops early too, so the producer never stays blocked on a full channel.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var producer = Task.Run(() => DecodeAllAsync(paths, channel.Writer, stop.Token), stop.Token);
        var clock = Stopwatch.StartNew();
        int done = 0, failed = 0;
        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(ct))
            {
                var ok = batch.Images.Select((img, i) => (img, i)).Where(t => t.img is not null).ToList();
                var (rows, extraRows) = RunWithExtra(ok.Select(t => t.img!).ToList());
                var outputs = new float[]?[batch.Images.Length];
                var extras = new float[]?[batch.Images.Length];
                for (int k = 0; k < ok.Count; k++) { outputs[ok[k].i] = rows[k]; extras[ok[k].i] = extraRows?[k]; }
                for (int i = 0; i < batch.Images.Length; i++)
                {
                    int index = batch.Start + i;
                    if (outputs[i] is null) failed++;
                    yield return new ImageOutcome(index, paths[index], outputs[i], batch.Errors[i]) { Extra = extras[i] };
                }
                done += batch.Images.Length;
                progress?.Report(new BatchProgress(done, paths.Count, failed, done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
            }
            await producer; // surfaces cancellation or an unexpected producer fault
        }
        finally { stop.Cancel(); }
    }

    private async Task DecodeAllAsync(IReadOnlyList<string> paths, ChannelWriter<DecodedBatch> writer, CancellationToken ct)
    {
        try
        {
            int parallelism = _options.DecodeParallelism > 0 ? _options.DecodeParallelism : Environment.ProcessorCount;
            for (int start = 0; start < paths.Count; start += _options.BatchSize)
            {
                int n = Math.Min(_options.BatchSize, paths.Count - start);
                var images = new RgbImage?[n];
                var errors = new string?[n];
                Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, i =>
                {
                    try { images[i] = ImageLoader.Load(paths[start + i], Spec, _options.Limits); }
                    catch (ImageDecodeException e) { errors[i] = e.Reason; }
                    // One file must never take the batch down (Parallel.For would abort the whole run): a decoder bug
                    // is this file's error, named so it can be reported.
                    catch (Exception e) when (e is not OperationCanceledException) { errors[i] = $"could not be decoded ({e.GetType().Name}: {e.Message})"; }
                });
                await writer.WriteAsync(new DecodedBatch(start, images, errors), ct);
            }
            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
            throw;
        }
    }

    public void Dispose() => _session.Dispose();

    private sealed record DecodedBatch(int Start, RgbImage?[] Images, string?[] Errors);
}

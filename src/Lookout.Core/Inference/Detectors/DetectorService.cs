using System.Runtime.CompilerServices;
using Lookout.Core.Imaging;
using Lookout.Core.Models;
using Lookout.Core.Models.Catalog;

namespace Lookout.Core.Inference.Detectors;

/// <summary>
/// COCO-80 object detection with a catalog detector (nanodet by default: Apache-2.0; centernet has no upstream
/// licence), or a detector trained by <c>train --task detect</c>. The ONNX is loaded once; every method is thread-safe
/// (one shared ONNX Runtime session). Every input is made by the model's own <see cref="PreprocessSpec"/> (the COCO
/// models stretch the frame to their square input, as upstream does; trained detectors letterbox it, older trained
/// files stretch) and boxes map back through the same plan (<see cref="InputPlacement"/>) to the original
/// (EXIF-oriented) pixels. NanoDet and trained detectors take batches (several images in one session call);
/// CenterNet is batch-1 (ORT also runs its in-graph <c>detections</c> branch, whose shapes are fixed), so its images
/// go one per call. The C# decode itself is batch-agnostic.
/// </summary>
public sealed class DetectorService : IDisposable
{
    private readonly DetectorModel _model;
    private readonly OnnxImageRunner? _runner;
    private readonly InGraphDetectionRunner? _inGraph;

    private DetectorService(DetectorModel model, string onnxPath, OnnxRunnerOptions? options)
    {
        _model = model;
        // A trained detector exported with its decode and NMS in the graph takes whole batches; the imported COCO
        // graphs are batch-1 and decode in C#.
        if (model is TrainedDetectorModel { DecodesInGraph: true })
            _inGraph = new InGraphDetectionRunner(onnxPath, model.Entry.Preprocess, options);
        else
            _runner = new OnnxImageRunner(onnxPath, model.OutputNames[0], model.Entry.Preprocess, model.TakesBatches ? options : (options ?? OnnxRunnerOptions.Default) with { BatchSize = 1 });
    }

    /// <summary>Opens a detector by name (<see cref="DetectorModel.Names"/>), converting it into the cache on first use.</summary>
    /// <remarks>A trained detector (its .onnx or run folder, see <see cref="TrainedDetectorModel"/>) opens from its file.</remarks>
    public static DetectorService Open(string name = DetectorModel.DefaultName, ModelCatalog? catalog = null, OnnxRunnerOptions? options = null)
    {
        var model = DetectorModel.ForName(name);
        var path = model is TrainedDetectorModel trained ? trained.Path : (catalog ?? ModelCatalog.Default()).GetPath(model.Entry.Name);
        return new DetectorService(model, path, options);
    }

    public CatalogEntry Entry => _model.Entry;
    public string Name => _model.Entry.Name;
    public ModelLicence Licence => _model.Entry.Licence;
    public PreprocessSpec Spec => _model.Entry.Preprocess;
    public IReadOnlyList<string> Labels => _model.Labels;

    /// <summary>True for a detector trained on the user's classes (not a catalog COCO model).</summary>
    public bool IsTrained => _model is TrainedDetectorModel;

    /// <summary>Class ids for names in this detector's labels (case-insensitive); an unknown name is a user error.</summary>
    public IReadOnlySet<int> ResolveClasses(IEnumerable<string> names) => IsTrained ? LabelIds.Resolve(Labels, names) : CocoLabels.Resolve(names);

    /// <summary>Detects in already-resized model inputs; <paramref name="sizes"/> are the originals the boxes map to.</summary>
    public IReadOnlyList<IReadOnlyList<Detection>> Detect(IReadOnlyList<RgbImage> inputs, IReadOnlyList<(int Width, int Height)> sizes, DetectorOptions? options = null)
    {
        options ??= DetectorOptions.Default;
        options.Validate();
        if (inputs.Count != sizes.Count) throw new ArgumentException("one original size per input image is needed", nameof(sizes));
        IReadOnlyList<List<RawDetection>> candidates = _inGraph is not null
            ? _inGraph.Run(inputs, options)
            : _runner!.RunOutputs(inputs, _model.OutputNames).Select(o => _model.Decode(o, options.MinScore)).ToList();
        // For in-graph files the score filter and per-class NMS already ran; Postprocess repeats them at no change
        // (survivors never overlap within a class beyond the IoU limit) and adds class filtering, the cap and scaling.
        // Class-agnostic NMS then runs on the per-class survivors: the same result except when a box suppressed within
        // its class would have outlived its suppressor in the agnostic pass (rare; documented, not hidden).
        return candidates.Select((c, i) => (IReadOnlyList<Detection>)Postprocess(c, InputPlacement.For(Spec, sizes[i].Width, sizes[i].Height),
            sizes[i].Width, sizes[i].Height, options, _model.Labels)).ToList();
    }

    /// <summary>Detects in a decoded full frame (e.g. a video frame), fitted like a file would be; boxes are in its pixels.</summary>
    public IReadOnlyList<Detection> Detect(RgbImage frame, DetectorOptions? options = null) => Detect([frame], options)[0];

    /// <summary>Detects in several full frames (e.g. one per camera) in one forward pass when the model takes batches.</summary>
    public IReadOnlyList<IReadOnlyList<Detection>> Detect(IReadOnlyList<RgbImage> frames, DetectorOptions? options = null)
    {
        var target = ImageTarget.For(Spec);
        return Detect(frames.Select(f => ImageDecoder.Fit(f, target)).ToList(), frames.Select(f => (f.Width, f.Height)).ToList(), options);
    }

    /// <summary>Decodes and detects encoded bytes (an upload); a bad image becomes an error result, never an exception.</summary>
    public DetectionResult Detect(byte[] data, DetectorOptions? options = null, string sourceName = "upload")
    {
        try
        {
            var decoded = ImageDecoder.Decode(ImageSource.FromBytes(data, sourceName), ImageTarget.For(Spec));
            return new DetectionResult(sourceName, decoded.Width, decoded.Height, Detect([decoded.Pixels], [(decoded.Width, decoded.Height)], options)[0]);
        }
        catch (ImageDecodeException e) { return new DetectionResult(sourceName, 0, 0, [], e.Reason); }
    }

    public DetectionResult DetectFile(string path, DetectorOptions? options = null)
    {
        var decoded = DecodeFile(path);
        return decoded.Error is not null
            ? new DetectionResult(path, 0, 0, [], decoded.Error)
            : new DetectionResult(path, decoded.Width, decoded.Height, Detect([decoded.Input!], [(decoded.Width, decoded.Height)], options)[0]);
    }

    /// <summary>Detects in files, decoding each batch in parallel; results in input order, unreadable files as errors.</summary>
    public async IAsyncEnumerable<DetectionResult> DetectFilesAsync(IReadOnlyList<string> paths, DetectorOptions? options = null,
        IProgress<BatchProgress>? progress = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        const int batch = 8; // decoded in parallel; inferred one by one (see class remarks)
        int done = 0, failed = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int start = 0; start < paths.Count; start += batch)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = paths.Skip(start).Take(batch).ToList();
            var results = await Task.Run(() =>
            {
                var decoded = new Decoded[chunk.Count];
                Parallel.For(0, chunk.Count, new ParallelOptions { CancellationToken = ct }, i => decoded[i] = DecodeFile(chunk[i]));
                var ok = decoded.Select((d, i) => (d, i)).Where(t => t.d.Error is null).ToList();
                var found = Detect(ok.Select(t => t.d.Input!).ToList(), ok.Select(t => (t.d.Width, t.d.Height)).ToList(), options);
                var outcome = decoded.Select((d, i) => new DetectionResult(chunk[i], d.Width, d.Height, [], d.Error)).ToArray();
                for (int k = 0; k < ok.Count; k++) outcome[ok[k].i] = outcome[ok[k].i] with { Detections = found[k] };
                return outcome;
            }, ct);
            foreach (var r in results)
            {
                done++;
                if (!r.Ok) failed++;
                yield return r;
            }
            progress?.Report(new BatchProgress(done, paths.Count, failed, done / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
        }
    }

    /// <summary>Postprocess for a square input the whole image was stretched to (the COCO models).</summary>
    public static List<Detection> Postprocess(IEnumerable<RawDetection> candidates, int inputSize, int width, int height, DetectorOptions options,
        IReadOnlyList<string>? labels = null) =>
        Postprocess(candidates, new InputPlacement((float)inputSize / width, (float)inputSize / height, 0, 0), width, height, options, labels);

    /// <summary>
    /// Candidates (model-input pixels) -> final detections: class filter, NMS, at most MaxDetections, boxes mapped
    /// from the input back to the original image through <paramref name="placement"/> and clipped to it, labelled,
    /// sorted by score. A box lying wholly in letterbox padding clips to nothing and is dropped.
    /// </summary>
    public static List<Detection> Postprocess(IEnumerable<RawDetection> candidates, InputPlacement placement, int width, int height, DetectorOptions options,
        IReadOnlyList<string>? labels = null)
    {
        labels ??= CocoLabels.All;
        var wanted = candidates.Where(c => c.Score >= options.MinScore && (options.Classes is null || options.Classes.Contains(c.ClassId)));
        var kept = Nms.Apply(wanted, options.NmsIoU, options.MaxDetections, perClass: !options.ClassAgnosticNms);
        return kept.Select(k => new Detection(labels[k.ClassId], k.Score, placement.ToSource(k.Box).Clamp(width, height)) { ClassId = k.ClassId })
            .Where(d => d.Box.Width > 0 && d.Box.Height > 0)
            .ToList();
    }

    private Decoded DecodeFile(string path)
    {
        try
        {
            var decoded = ImageDecoder.Decode(ImageSource.FromFile(path), ImageTarget.For(Spec));
            return new Decoded(decoded.Pixels, decoded.Width, decoded.Height, null);
        }
        catch (ImageDecodeException e) { return new Decoded(null, 0, 0, e.Reason); }
        // One file must never take the batch down: a decoder bug is this file's error.
        catch (Exception e) when (e is not OperationCanceledException) { return new Decoded(null, 0, 0, $"could not be decoded ({e.GetType().Name}: {e.Message})"); }
    }

    public void Dispose()
    {
        _runner?.Dispose();
        _inGraph?.Dispose();
    }

    private readonly record struct Decoded(RgbImage? Input, int Width, int Height, string? Error);
}

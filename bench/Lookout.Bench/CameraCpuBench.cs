using System.Diagnostics;
using System.Globalization;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Models;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.Quantization;
using Lookout.Core.Models.TfJs;
using Lookout.Core.Video;
using Lookout.Core.Watch.Motion;

namespace Lookout.Bench;

/// <summary>
/// Where the CPU goes per camera frame (720p at 5 fps, the cameras bench's clip), stage by stage, in CPU-ms per frame
/// (process CPU time, so a loaded machine inflates wall time but not these much):
/// 1. ffmpeg decode to rgb24 (the child's CPU from getrusage), and with ffmpeg scaling to the model size instead;
/// 2. motion gate; 3. fit 720p → model input (libvips, the detector's own call, after a warm-up call); 4. ONNX Runtime forward pass of the COCO NanoDet at
/// batch 1/4/8 × intra-op threads 1/2 (the question: does a shared pass save CPU on this CPU?); 5. decode + NMS;
/// 6. the same forward pass at 320 px (0.59× the pixels) and its agreement with 416 on the six sample photos
/// (converted here with the input size overridden; the FPN's constant upsampling sizes scale with it); 7. the same for
/// a static int8 (QDQ) copy calibrated on the clip's frames.
/// The sum says how many frames per second two cores can possibly process. Options: <c>--frames N</c> (default 24).
/// </summary>
public static class CameraCpuBench
{
    public static async Task Run(string[] args)
    {
        int count = args.Contains("--frames") ? int.Parse(args[Array.IndexOf(args, "--frames") + 1], CultureInfo.InvariantCulture) : 24;
        var dir = Directory.CreateTempSubdirectory("lookout-cameracpu").FullName;
        try
        {
            var clip = Path.Combine(dir, "camera.mp4");
            await CamerasBench.MakeClip(clip, 1280, 720, count / CamerasBench.Fps);
            Console.WriteLine($"camera-cpu: {count} frames of a 1280x720 clip, {Environment.ProcessorCount} cores, load average {BenchAssets.LoadAverage()}");

            var decode = ChildProcessMeter.Run("ffmpeg", "ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", clip, "-an", "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", "/dev/null"]);
            var decodeScaled = ChildProcessMeter.Run("ffmpeg", "ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", clip, "-an", "-vf", "scale=416:416:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", "/dev/null"]);
            double ffmpegMs = decode.CpuSeconds * 1000 / count, ffmpegScaledMs = decodeScaled.CpuSeconds * 1000 / count;
            Console.WriteLine($"  ffmpeg decode 720p -> rgb24 (process start included)   {ffmpegMs,6:0.0} CPU-ms/frame; with ffmpeg scaling to 416x416: {ffmpegScaledMs:0.0}");

            var frames = new List<RgbImage>();
            await using (var reader = await FfmpegFrameReader.OpenAsync(clip))
                await foreach (var f in reader.ReadFramesAsync()) frames.Add(f.Pixels);

            new FrameDifferenceMotionGate(new MotionOptions()).Check(frames[0], TimeSpan.Zero); // compiled before it is timed
            var gate = new FrameDifferenceMotionGate(new MotionOptions());
            double motionMs = CpuMs(frames.Count, () => { for (int i = 0; i < frames.Count; i++) gate.Check(frames[i], TimeSpan.FromSeconds(i / CamerasBench.Fps)); });
            Console.WriteLine($"  motion gate (720p)                                     {motionMs,6:0.0} CPU-ms/frame");

            var spec = KnownModels.Nanodet.Preprocess;
            var target = ImageTarget.For(spec);
            List<RgbImage> inputs = [];
            ImageDecoder.Fit(frames[0], target); // libvips' first call pays its start-up, not a frame
            double stretchMs = CpuMs(frames.Count, () => inputs = frames.Select(f => ImageDecoder.Fit(f, target)).ToList());
            Console.WriteLine($"  fit 720p -> 416 (libvips, as the detector does)        {stretchMs,6:0.0} CPU-ms/frame");
            double linearMs = CpuMs(frames.Count, () =>
            {
                foreach (var f in frames)
                {
                    using var image = NetVips.Image.NewFromMemory(f.Pixels, f.Width, f.Height, 3, NetVips.Enums.BandFormat.Uchar);
                    using var resized = image.Resize((double)spec.Width / f.Width, vscale: (double)spec.Height / f.Height, kernel: NetVips.Enums.Kernel.Linear);
                    resized.WriteToMemory<byte>();
                }
            });
            double reduceMs = CpuMs(frames.Count, () =>
            {
                foreach (var f in frames)
                {
                    using var image = NetVips.Image.NewFromMemory(f.Pixels, f.Width, f.Height, 3, NetVips.Enums.BandFormat.Uchar);
                    using var resized = image.Reduce((double)f.Width / spec.Width, (double)f.Height / spec.Height, kernel: NetVips.Enums.Kernel.Linear);
                    resized.WriteToMemory<byte>();
                }
            });
            Console.WriteLine($"  (what a cheaper stretch would cost: libvips resize with a linear kernel {linearMs:0.0}, reduce linear {reduceMs:0.0} CPU-ms/frame)");

            var path416 = ModelCatalog.Default().GetPath(KnownModels.Nanodet.Name);
            var path320 = Path.Combine(dir, "nanodet-320.onnx");
            var spec320 = spec with { Width = 320, Height = 320 };
            OnnxWriter.Save(TfJsConverter.Convert(TfJsLoader.Load(Path.Combine(LookoutCache.HumanModels(LookoutCache.Root()), KnownModels.Nanodet.TfJsFile)),
                KnownModels.Nanodet.ConversionOptions() with { InputHeight = 320, InputWidth = 320, Preprocess = spec320 }), path320);
            var inputs320 = frames.Select(f => PixelOps.Stretch(f, 320, 320)).ToList();
            var model = new NanoDetModel();
            double best416 = double.MaxValue;
            foreach (int threads in new[] { 1, 2 })
                foreach (int batch in new[] { 1, 4, 8 })
                {
                    var (cpu, wall) = Forward(path416, spec, inputs, model.OutputNames, threads, batch);
                    best416 = Math.Min(best416, cpu);
                    Console.WriteLine($"  ORT forward 416, intra-op threads {threads}, batch {batch}        {cpu,6:0.0} CPU-ms/frame, {wall,5:0.0} wall-ms/frame");
                }
            foreach (int batch in new[] { 1, 8 })
            {
                var (cpu, wall) = Forward(path320, spec320, inputs320, model.OutputNames, 1, batch);
                Console.WriteLine($"  ORT forward 320, intra-op threads 1, batch {batch}         {cpu,6:0.0} CPU-ms/frame, {wall,5:0.0} wall-ms/frame");
            }

            using var runner = new OnnxImageRunner(path416, model.OutputNames[0], spec, new OnnxRunnerOptions { IntraOpThreads = 1 });
            var outputs = runner.RunOutputs(inputs, model.OutputNames);
            double postMs = CpuMs(inputs.Count, () =>
            {
                foreach (var o in outputs) DetectorService.Postprocess(model.Decode(o, DetectorOptions.DefaultMinScore), spec.Width, 1280, 720, DetectorOptions.Default);
            });
            Console.WriteLine($"  decode + NMS                                           {postMs,6:0.0} CPU-ms/frame");
            double inProcess = motionMs + stretchMs + best416 + postMs;
            Console.WriteLine($"  per frame: ffmpeg {ffmpegMs:0.0} + in-process {inProcess:0.0} = {ffmpegMs + inProcess:0.0} CPU-ms -> at most {2000 / (ffmpegMs + inProcess):0.0} frames/s on 2 idle cores" +
                $" (8 cameras x 5 fps need {8 * 5 * (ffmpegMs + inProcess) / 1000:0.00} cores)");
            Agreement(path416, path320, spec, spec320, "320");

            // int8 (static QDQ, as `export --int8` makes for classifiers), calibrated on the clip's frames only, so the
            // sample photos it is compared on are held out.
            var fp32 = OnnxReader.Load(path416);
            var int8 = QdqQuantizer.Quantize(fp32, ActivationCalibrator.Collect(fp32, inputs, QdqQuantizer.CalibrationTensors(fp32)));
            var pathInt8 = Path.Combine(dir, "nanodet-int8.onnx");
            OnnxWriter.Save(int8, pathInt8);
            foreach (int batch in new[] { 1, 4 })
            {
                var (cpu, wall) = Forward(pathInt8, spec, inputs, model.OutputNames, 1, batch);
                var (cpuFp, _) = Forward(path416, spec, inputs, model.OutputNames, 1, batch);
                Console.WriteLine($"  ORT forward 416 int8, intra-op threads 1, batch {batch}    {cpu,6:0.0} CPU-ms/frame, {wall,5:0.0} wall-ms/frame (fp32 in the same run {cpuFp:0.0}: x{cpuFp / cpu:0.00})");
            }
            Agreement(path416, pathInt8, spec, spec, "int8");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>CPU-ms and wall-ms per frame of the forward pass alone, after a warm-up call.</summary>
    private static (double Cpu, double Wall) Forward(string path, PreprocessSpec spec, List<RgbImage> inputs, IReadOnlyList<string> outputs, int threads, int batch)
    {
        using var runner = new OnnxImageRunner(path, outputs[0], spec, new OnnxRunnerOptions { IntraOpThreads = threads, BatchSize = batch });
        runner.RunOutputs(inputs.Take(batch).ToList(), outputs);
        var clock = Stopwatch.StartNew();
        double cpu = CpuMs(inputs.Count, () => runner.RunOutputs(inputs, outputs));
        return (cpu, clock.Elapsed.TotalMilliseconds / inputs.Count);
    }

    private static double CpuMs(int frames, Action work)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        work();
        return (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMilliseconds / frames;
    }

    /// <summary>
    /// How much of what NanoDet finds at 416 it still finds at 320 on the six sample photos (same label, IoU ≥ 0.5,
    /// default score threshold), and the reverse.
    /// </summary>
    internal static List<string> SamplePhotos()
    {
        var samples = Path.Combine(LookoutCache.Root(), "samples", "face-api-1.7.15");
        return Directory.Exists(samples) ? Directory.GetFiles(samples, "*.jpg").Order().ToList() : [];
    }

    private static void Agreement(string path416, string path320, PreprocessSpec spec416, PreprocessSpec spec320, string name)
    {
        var files = SamplePhotos();
        if (files.Count == 0) { Console.WriteLine($"  (no sample photos in the cache: {name} vs 416 agreement not measured)"); return; }
        var model = new NanoDetModel();
        List<List<Detection>> Detect(string path, PreprocessSpec spec)
        {
            using var runner = new OnnxImageRunner(path, model.OutputNames[0], spec, new OnnxRunnerOptions { IntraOpThreads = 1 });
            return files.Select(f =>
            {
                var d = ImageDecoder.Decode(ImageSource.FromFile(f), ImageTarget.For(spec));
                var o = runner.RunOutputs([d.Pixels], model.OutputNames)[0];
                var raw = new List<RawDetection>();
                for (int level = 0; level < 3; level++)
                    raw.AddRange(NanoDetDecoder.DecodeLevel(o[level], o[level + 3], CocoLabels.All.Count, spec.Width, DetectorOptions.DefaultMinScore));
                return DetectorService.Postprocess(raw, spec.Width, d.Width, d.Height, DetectorOptions.Default);
            }).ToList();
        }
        var at416 = Detect(path416, spec416);
        var at320 = Detect(path320, spec320);
        static int Found(List<Detection> reference, List<Detection> other) =>
            reference.Count(r => other.Any(o => o.Label == r.Label && o.Box.IoU(r.Box) >= 0.5f));
        int n416 = at416.Sum(d => d.Count), n320 = at320.Sum(d => d.Count);
        int kept = at416.Select((d, i) => Found(d, at320[i])).Sum(), extra = n320 - at320.Select((d, i) => Found(d, at416[i])).Sum();
        Console.WriteLine($"  {name} vs 416 on {files.Count} sample photos (score >= {DetectorOptions.DefaultMinScore}): 416 finds {n416}, {name} finds {n320};" +
            $" {name} keeps {kept}/{n416} of 416's boxes (same label, IoU >= 0.5) and adds {extra}");
        for (int i = 0; i < files.Count; i++)
            Console.WriteLine($"    {Path.GetFileName(files[i])}: 416 [{string.Join(", ", at416[i].Select(d => $"{d.Label} {d.Score:0.00}"))}]  {name} [{string.Join(", ", at320[i].Select(d => $"{d.Label} {d.Score:0.00}"))}]");
    }
}

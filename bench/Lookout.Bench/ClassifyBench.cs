using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lookout.Bench;

/// <summary>
/// Classifying a folder of 12-MP JPEGs (camera photos), on the default pretrained backbone + a 5-class head:
/// 1. in process, interleaved rounds: the pipelined runner (decode on every core while the model works, bounded
///    queues) against the runner Lookout had before (<see cref="BatchThenInfer"/>): img/s and CPU-ms per image;
/// 2. the honest limit: CPU-ms per image for decoding alone vs end to end, so the best img/s this machine can give
///    is visible next to what it gave;
/// 3. as users run them, interleaved child processes: <c>lookout classify</c> against the ML.NET peer program
///    (LoadImages → ResizeImages → ExtractPixels(interleaved bytes) → ApplyOnnxModel on the same exported model):
///    wall, CPU, peak RSS of each command, and the ratios;
/// 4. with <c>--sweep</c>: decode workers × ORT intra-op threads × batch size × inference workers × libvips threads.
/// Options: <c>--images N</c> (default 100, as the issue measured), <c>--rounds R</c> (default 3), <c>--no-peer</c>, <c>--sweep</c>, <c>--sweep-images N</c>, <c>--no-inprocess</c>.
/// The machine is shared: medians, CPU time beside wall time, and the load average are printed.
/// </summary>
public static class ClassifyBench
{
    private static readonly string[] Labels = ["a", "b", "c", "d", "e"];

    public static async Task Run(string[] args)
    {
        int count = IntArg(args, "--images", 100), rounds = IntArg(args, "--rounds", 3);
        var folder = BenchAssets.TwelveMegapixelFolder(count);
        var files = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToList();
        var dir = Directory.CreateTempSubdirectory("lookout-classifybench").FullName;
        try
        {
            var modelPath = BenchAssets.Classifier(dir, Labels, out var backboneName);
            Console.WriteLine($"classify: {files.Count} JPEGs 4000x3000 (~{files.Average(f => new FileInfo(f).Length) / 1e6:0.0} MB each), {backboneName} + {Labels.Length}-class head, {Environment.ProcessorCount} cores, load average {BenchAssets.LoadAverage()}");

            double decodeCpuMs = args.Contains("--no-inprocess") ? double.NaN : InProcess(modelPath, files, rounds);
            if (!args.Contains("--no-peer")) AgainstPeer(modelPath, folder, files.Count, rounds, decodeCpuMs);
            if (args.Contains("--sweep")) await Sweep(modelPath, files, rounds, IntArg(args, "--sweep-images", 40));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <returns>CPU-ms per image of decoding alone (one thread).</returns>
    private static double InProcess(string modelPath, List<string> files, int rounds)
    {
        using var model = ClassifierModel.Load(modelPath);
        using var before = new BatchThenInfer(modelPath, model.Spec);
        // Warm-up: JIT, ORT arenas, libvips start-up, the page cache.
        before.Run(files.Take(8).ToList());
        Drain(model.ClassifyFilesAsync(files.Take(8).ToList()));

        var old = new List<Sample>();
        var now = new List<Sample>();
        for (int r = 0; r < rounds; r++)
        {
            old.Add(Measure(files.Count, () => before.Run(files)));
            now.Add(Measure(files.Count, () => Drain(model.ClassifyFilesAsync(files))));
            Console.WriteLine($"  round {r + 1}: before {old[^1]} | pipelined {now[^1]}   (load {BenchAssets.LoadAverage()})");
        }
        var (o, n) = (Sample.Median(old), Sample.Median(now));
        Console.WriteLine($"in process, median of {rounds}: before {o} | pipelined {n}");
        Console.WriteLine($"  pipelined / before: {n.ImagesPerSecond / o.ImagesPerSecond:0.00}x img/s (per round: {string.Join(", ", now.Zip(old, (a, b) => (a.ImagesPerSecond / b.ImagesPerSecond).ToString("0.00", CultureInfo.InvariantCulture)))}), CPU per image {o.CpuMsPerImage / n.CpuMsPerImage:0.00}x less");

        // The honest limit: nothing can beat decoding alone on every core.
        var decodeOnly = Measure(files.Count, () => { foreach (var f in files) ImageLoader.Load(f, model.Spec); return files.Count; });
        var decodedBatch = files.Take(8).Select(f => ImageLoader.Load(f, model.Spec)).ToList();
        var modelOnly = Measure(files.Count, () => { for (int i = 0; i < files.Count; i += decodedBatch.Count) model.Probabilities(decodedBatch); return files.Count; });
        Console.WriteLine($"  model alone (decoded images, batches of {decodedBatch.Count}): {modelOnly}");
        double best = Environment.ProcessorCount * 1000 / n.CpuMsPerImage;
        Console.WriteLine($"  limit: decode alone {decodeOnly.CpuMsPerImage:0.0} CPU-ms/img (one thread), end to end {n.CpuMsPerImage:0.0} CPU-ms/img" +
                          $" -> at most {best:0.0} img/s on {Environment.ProcessorCount} idle cores; got {n.ImagesPerSecond:0.0} ({n.CpuPerWall:0.00} cores busy)");
        return decodeOnly.CpuMsPerImage;
    }

    private static void AgainstPeer(string modelPath, string folder, int count, int rounds, double decodeCpuMs)
    {
        string peer;
        try { peer = BenchAssets.MlNetPeerDll(); }
        catch (InvalidOperationException e)
        {
            Console.WriteLine("ML.NET peer unavailable: " + e.Message.Split('\n')[0]);
            return;
        }
        var cli = BenchAssets.CliDll();
        // Fixed costs (process start, JIT, model load), paid once per command: both programs on a one-image folder.
        var one = Directory.CreateTempSubdirectory("lookout-classifybench-one").FullName;
        try
        {
            File.Copy(Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).First(), Path.Combine(one, "one.jpg"));
            var lookoutOne = ChildProcessMeter.Run("lookout classify", "dotnet", [cli, "classify", modelPath, one, "--json"], BenchAssets.CliEnvironment());
            var mlnetOne = ChildProcessMeter.Run("ML.NET pipeline", "dotnet", [peer, modelPath, one]);
            Console.WriteLine(FormattableString.Invariant($"  one image (start-up, model load, one decode): lookout classify {lookoutOne.WallSeconds:0.00} s wall, {lookoutOne.CpuSeconds:0.00} CPU-s, RSS {lookoutOne.PeakRssMb:0} MB | ML.NET {mlnetOne.WallSeconds:0.00} s wall, {mlnetOne.CpuSeconds:0.00} CPU-s, RSS {mlnetOne.PeakRssMb:0} MB"));
        }
        finally { Directory.Delete(one, recursive: true); }
        var runs = new List<(ChildRun Lookout, ChildRun MlNet)>();
        for (int r = 0; r < rounds; r++)
        {
            var lookout = ChildProcessMeter.Run("lookout classify", "dotnet", [cli, "classify", modelPath, folder, "--json"], BenchAssets.CliEnvironment());
            var mlnet = ChildProcessMeter.Run("ML.NET pipeline", "dotnet", [peer, modelPath, folder]);
            foreach (var run in new[] { lookout, mlnet })
                if (run.ExitCode != 0) throw new InvalidOperationException($"{run.Name} exited {run.ExitCode}: {run.StdErr.Trim().Split('\n')[^1]}");
            Console.WriteLine($"  round {r + 1}: {Line(lookout, count)} | {Line(mlnet, count)}   (load {BenchAssets.LoadAverage()})");
            runs.Add((lookout, mlnet));
        }
        double Med(Func<(ChildRun Lookout, ChildRun MlNet), double> f) => BenchAssets.Median(runs.Select(f));
        Console.WriteLine($"as users run them (process start included), median of {rounds}:");
        Console.WriteLine($"  lookout classify {count / Med(x => x.Lookout.WallSeconds):0.0} img/s, {Med(x => x.Lookout.CpuSeconds) * 1000 / count:0} CPU-ms/img, {Med(x => x.Lookout.CpuPerWall):0.00} cores busy, peak RSS {Med(x => x.Lookout.PeakRssMb):0} MB");
        Console.WriteLine($"  ML.NET pipeline  {count / Med(x => x.MlNet.WallSeconds):0.0} img/s, {Med(x => x.MlNet.CpuSeconds) * 1000 / count:0} CPU-ms/img, {Med(x => x.MlNet.CpuPerWall):0.00} cores busy, peak RSS {Med(x => x.MlNet.PeakRssMb):0} MB");
        Console.WriteLine($"  lookout / ML.NET: {Med(x => x.MlNet.WallSeconds / x.Lookout.WallSeconds):0.0}x img/s, {Med(x => x.MlNet.CpuSeconds / x.Lookout.CpuSeconds):0.0}x less CPU, peak RSS {Med(x => x.Lookout.PeakRssMb / x.MlNet.PeakRssMb):0.00}x the peer's");
        // The honest limit of the 10x target, in CPU (wall shares depend on the other load on a shared machine): the
        // peer decodes one file at a time, so alone on the machine it keeps at least one core busy; Lookout can keep
        // every core busy but cannot go under decoding alone (the JPEG entropy decode is sequential per file and the
        // same at any output size; no model or threading change removes it).
        double peerCpuMs = Med(x => x.MlNet.CpuSeconds) * 1000 / count;
        Console.WriteLine($"  limit: peer {peerCpuMs:0} CPU-ms/img on >= 1 core vs Lookout's decode alone {decodeCpuMs:0} CPU-ms/img on {Environment.ProcessorCount} cores:" +
                          $" at most {peerCpuMs / decodeCpuMs * Environment.ProcessorCount:0.0}x the peer's img/s on this machine even with a free model and no start-up");
    }

    private static string Line(ChildRun r, int count) =>
        FormattableString.Invariant($"{r.Name} {count / r.WallSeconds:0.0} img/s {r.CpuSeconds * 1000 / count:0} CPU-ms/img RSS {r.PeakRssMb:0} MB");

    /// <summary>
    /// Where the defaults come from: each setting changed alone and a few combinations, on the first
    /// <c>--sweep-images</c> files (default 40), interleaved rounds, medians.
    /// </summary>
    private static Task Sweep(string modelPath, List<string> files, int rounds, int images)
    {
        files = files.Take(images).ToList();
        Console.WriteLine($"sweep ({files.Count} images, median of {rounds} interleaved rounds; wall numbers are noisy on a shared machine, CPU-ms/img less so):");
        int cores = Environment.ProcessorCount;
        var configs = new List<(string Name, OnnxRunnerOptions Options, int VipsThreads)>
        {
            ("default", OnnxRunnerOptions.Default, 0),
            ("libvips threads 1", OnnxRunnerOptions.Default, 1),
            ("decode workers 1", OnnxRunnerOptions.Default with { DecodeParallelism = 1 }, 0),
            ($"decode workers {cores * 2}", OnnxRunnerOptions.Default with { DecodeParallelism = cores * 2 }, 0),
            ("intra-op 1", OnnxRunnerOptions.Default with { IntraOpThreads = 1 }, 0),
            ("intra-op 1, libvips threads 1", OnnxRunnerOptions.Default with { IntraOpThreads = 1 }, 1),
            ("intra-op 1, 2 inference workers", OnnxRunnerOptions.Default with { IntraOpThreads = 1, InferenceWorkers = 2 }, 0),
            ("batch 1", OnnxRunnerOptions.Default with { BatchSize = 1 }, 0),
            ("batch 32", OnnxRunnerOptions.Default with { BatchSize = 32 }, 0),
        };
        ImageHeader.Read(ImageSource.FromFile(files[0])); // Lookout's libvips settings are applied on first use
        int vipsDefault = NetVips.NetVips.Concurrency;
        var samples = configs.Select(_ => new List<Sample>()).ToArray();
        for (int r = 0; r < rounds; r++)
            for (int c = 0; c < configs.Count; c++)
            {
                var (_, options, vips) = configs[c];
                NetVips.NetVips.Concurrency = vips > 0 ? vips : vipsDefault;
                try
                {
                    using var model = ClassifierModel.Load(modelPath, options);
                    Drain(model.ClassifyFilesAsync(files.Take(4).ToList()));
                    samples[c].Add(Measure(files.Count, () => Drain(model.ClassifyFilesAsync(files))));
                }
                finally { NetVips.NetVips.Concurrency = vipsDefault; }
            }
        var baseline = Sample.Median(samples[0]);
        for (int c = 0; c < configs.Count; c++)
        {
            var m = Sample.Median(samples[c]);
            Console.WriteLine(FormattableString.Invariant($"  {configs[c].Name,-34} {m}  img/s {m.ImagesPerSecond / baseline.ImagesPerSecond:0.00}x, CPU/img {m.CpuMsPerImage / baseline.CpuMsPerImage:0.00}x of default"));
        }
        return Task.CompletedTask;
    }

    private static int Drain(IAsyncEnumerable<ClassifyResult> results)
    {
        int n = 0;
        foreach (var r in results.ToBlockingEnumerable())
        {
            if (!r.Ok) throw new InvalidOperationException($"{r.Source}: {r.Error}");
            n++;
        }
        return n;
    }

    private static Sample Measure(int images, Func<int> work)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        int done = work();
        if (done != images) throw new InvalidOperationException($"{done} of {images} images done");
        return new Sample(images, clock.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private sealed record Sample(int Images, double WallSeconds, double CpuSeconds)
    {
        public double ImagesPerSecond => Images / WallSeconds;
        public double CpuMsPerImage => CpuSeconds * 1000 / Images;
        public double CpuPerWall => CpuSeconds / WallSeconds;

        public override string ToString() =>
            FormattableString.Invariant($"{ImagesPerSecond,5:0.0} img/s {CpuMsPerImage,5:0} CPU-ms/img ({CpuPerWall:0.00} cores)");

        public static Sample Median(IReadOnlyList<Sample> samples) => new(samples[0].Images,
            BenchAssets.Median(samples.Select(s => s.WallSeconds)), BenchAssets.Median(samples.Select(s => s.CpuSeconds)));
    }

    /// <summary>
    /// The file runner as Lookout had it before the pipelined one, kept here as the baseline: decode a batch of 32 in
    /// parallel, hand it over through a one-slot channel while the next batch decodes, one ORT session with default
    /// options (intra-op threads spinning), 32 images per call.
    /// </summary>
    private sealed class BatchThenInfer(string modelPath, PreprocessSpec spec) : IDisposable
    {
        private const int Batch = 32;
        private readonly InferenceSession _session = new(modelPath, new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL });

        public int Run(IReadOnlyList<string> paths) => RunAsync(paths).GetAwaiter().GetResult();

        private async Task<int> RunAsync(IReadOnlyList<string> paths)
        {
            var channel = Channel.CreateBounded<RgbImage[]>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
            var producer = Task.Run(async () =>
            {
                for (int start = 0; start < paths.Count; start += Batch)
                {
                    int n = Math.Min(Batch, paths.Count - start);
                    var images = new RgbImage[n];
                    Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => images[i] = ImageLoader.Load(paths[start + i], spec));
                    await channel.Writer.WriteAsync(images);
                }
                channel.Writer.Complete();
            });
            int done = 0;
            await foreach (var images in channel.Reader.ReadAllAsync())
            {
                int per = spec.Width * spec.Height * 3;
                var buffer = new byte[images.Length * per];
                for (int i = 0; i < images.Length; i++) images[i].Pixels.CopyTo(buffer, i * per);
                var input = new DenseTensor<byte>(buffer, [images.Length, spec.Height, spec.Width, 3]);
                using var results = _session.Run([NamedOnnxValue.CreateFromTensor("image", input)], [Lookout.Core.Models.ModelMetadata.ProbsOutput]);
                done += (int)(results[0].AsTensor<float>().Length / Labels.Length);
            }
            await producer;
            return done;
        }

        public void Dispose() => _session.Dispose();
    }
}

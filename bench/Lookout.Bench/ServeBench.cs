using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Lookout.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Lookout.Bench;

/// <summary>One load run against one server configuration.</summary>
public sealed record ServeBenchResult(string Name, int Requests, int Ok, int Overloaded, int OtherFailures,
    double Seconds, double P50Ms, double P99Ms, double RejectP99Ms, double CpuMsPerRequest)
{
    /// <summary>Where a request's time went (server metrics): mean decode, queue wait, pass wall time, images per pass.</summary>
    public string Stages { get; init; } = "";

    public double Throughput => Ok / Seconds;
    public double TailRatio => P99Ms / P50Ms;
}

/// <summary>
/// The HTTP server under a closed-loop loopback load (HttpClient, fixed request count, time cap), micro-batching on
/// (the defaults: a pass takes the requests already waiting, up to 8; at 16 clients also up to 16) and off (max batch 1) in the same run, interleaved
/// rounds, on a real exported classifier (the default pretrained backbone + a 5-class head), with 640x480 and 12-MP
/// JPEG uploads at 1 and 16 concurrent clients. Targets: on/off throughput ≥ 1.0x at 1 client and ≥ 1.3x at 16,
/// p99 ≤ 2x p50 (each fresh server answers 4 requests first, kept out of the figures: its model load and cold code are
/// a once-per-start cost). Below capacity no request may fail; over capacity (a small queue, 64 clients) only fast 503s.
/// Options: <c>--rounds R</c> (default 3), <c>--backbone resnet18</c> (default: the default catalog backbone). CPU is the whole process (server + client: the same for both configs).
/// </summary>
public static class ServeBench
{
    private const int OverloadConcurrency = 64, OverloadRequests = 640;
    private static readonly TimeSpan TimeCap = TimeSpan.FromSeconds(120);
    private const int WarmUpRequests = 4;

    private sealed record Load(string Upload, byte[][] Images, int Clients, int Requests);

    public static async Task Run(string[] args)
    {
        int rounds = args.Contains("--rounds") ? int.Parse(args[Array.IndexOf(args, "--rounds") + 1], CultureInfo.InvariantCulture) : 3;
        string? backbone = args.Contains("--backbone") ? args[Array.IndexOf(args, "--backbone") + 1] : null;
        var dir = Directory.CreateTempSubdirectory("lookout-servebench").FullName;
        try
        {
            var modelsDir = Directory.CreateDirectory(Path.Combine(dir, "models")).FullName;
            File.Move(BenchAssets.Classifier(dir, ["a", "b", "c", "d", "e"], out var backboneName, backbone), Path.Combine(modelsDir, "bench.onnx"));
            var small = Enumerable.Range(0, 8).Select(i => BenchAssets.PhotoLikeJpeg(640, 480, seed: i + 1)).ToArray();
            var large = Enumerable.Range(0, 4).Select(i => BenchAssets.PhotoLikeJpeg(4000, 3000, seed: i + 1)).ToArray();
            var baseOptions = new ServerOptions { ModelsDirectory = modelsDir, Urls = "http://127.0.0.1:0", WatchModels = false, QueueCapacity = 256 };
            var off = baseOptions with { MaxBatchSize = 1 };
            var on = baseOptions; // the defaults: adaptive, no wait, one pass per core
            var wide = baseOptions with { MaxBatchSize = 16 };
            // --one-worker: the previous arrangement (one pass at a time using every core) for both on and off
            if (args.Contains("--intra")) // ONNX Runtime threads per pass (default: cores / workers)
            {
                int t = int.Parse(args[Array.IndexOf(args, "--intra") + 1], CultureInfo.InvariantCulture);
                off = off with { IntraOpThreads = t }; on = on with { IntraOpThreads = t }; wide = wide with { IntraOpThreads = t };
            }
            if (args.Contains("--one-worker")) { off = off with { InferenceWorkers = 1 }; on = on with { InferenceWorkers = 1 }; wide = wide with { InferenceWorkers = 1 }; }
            Load[] loads =
            [
                new("640x480", small, 1, 200), new("640x480", small, 16, 480),
                new("12-MP", large, 1, 60), new("12-MP", large, 16, 96),
            ];
            // --only 640x480 and/or --clients 16 run a subset (to study one case)
            if (args.Contains("--only")) loads = loads.Where(l => l.Upload == args[Array.IndexOf(args, "--only") + 1]).ToArray();
            if (args.Contains("--clients")) loads = loads.Where(l => l.Clients == int.Parse(args[Array.IndexOf(args, "--clients") + 1], CultureInfo.InvariantCulture)).ToArray();

            Console.WriteLine($"model: {backboneName} + 5-class head; uploads 640x480 ~{small.Average(i => i.Length) / 1024:0} KB and 4000x3000 ~{large.Average(i => i.Length) / 1e6:0.0} MB JPEGs; {Environment.ProcessorCount} cores, load average {BenchAssets.LoadAverage()}");
            Console.WriteLine($"load: {rounds} interleaved rounds per configuration, closed loop, loopback HTTP/1.1; {on.ResolvedInferenceWorkers} passes at once; batching on = the defaults (adaptive: takes what is waiting, max {on.MaxBatchSize}, no wait), off = max batch 1; at 16 clients also max 16");
            BatchingBound(Path.Combine(modelsDir, "bench.onnx"), small, large);
            await RunOnce("warm-up", on, small, 4, 32);
            var results = loads.ToDictionary(l => l, _ => new List<(ServeBenchResult Off, ServeBenchResult On)>());
            for (int r = 0; r < rounds; r++)
                foreach (var load in loads) // interleaved, so a noisy neighbour hurts both sides alike
                {
                    var a = await RunOnce($"{load.Upload} x{load.Clients} off", off, load.Images, load.Clients, load.Requests);
                    var b = await RunOnce($"{load.Upload} x{load.Clients} on (max {on.MaxBatchSize})", on, load.Images, load.Clients, load.Requests);
                    Print(a);
                    Print(b);
                    if (load.Clients > on.MaxBatchSize) Print(await RunOnce($"{load.Upload} x{load.Clients} on (max 16)", wide, load.Images, load.Clients, load.Requests));
                    results[load].Add((a, b));
                }

            Console.WriteLine($"medians of {rounds} rounds (load average now {BenchAssets.LoadAverage()}):");
            foreach (var load in loads)
            {
                var rs = results[load];
                double ratio = BenchAssets.Median(rs.Select(x => x.On.Throughput / x.Off.Throughput));
                double target = load.Clients == 1 ? 1.0 : 1.3;
                Console.WriteLine( // InvariantGlobalization: every number prints with a dot
                    $"  {load.Upload,-8} {load.Clients,2} clients: on/off throughput {ratio:0.00}x (target >= {target:0.0}; rounds {string.Join(", ", rs.Select(x => (x.On.Throughput / x.Off.Throughput).ToString("0.00", CultureInfo.InvariantCulture)))})" +
                    $"  on: {BenchAssets.Median(rs.Select(x => x.On.Throughput)):0.0} req/s p50 {BenchAssets.Median(rs.Select(x => x.On.P50Ms)):0} ms p99 {BenchAssets.Median(rs.Select(x => x.On.P99Ms)):0} ms p99/p50 {BenchAssets.Median(rs.Select(x => x.On.TailRatio)):0.00}" +
                    $" | off: {BenchAssets.Median(rs.Select(x => x.Off.Throughput)):0.0} req/s p99/p50 {BenchAssets.Median(rs.Select(x => x.Off.TailRatio)):0.00}" +
                    $" | CPU/req off/on {BenchAssets.Median(rs.Select(x => x.Off.CpuMsPerRequest / x.On.CpuMsPerRequest)):0.00}x");
            }

            var over = await RunOnce($"over capacity (queue 8, {OverloadConcurrency} clients)", on with { QueueCapacity = 8 }, small, OverloadConcurrency, OverloadRequests);
            Print(over);
            bool healthy = results.Values.SelectMany(x => x).All(x => x.Off.Overloaded + x.Off.OtherFailures + x.On.Overloaded + x.On.OtherFailures == 0) && over.OtherFailures == 0;
            Console.WriteLine(healthy ? "failures: none below capacity; over capacity only 503s" : "FAILURES: see above");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// What batching can win at most: a batched pass only makes the forward pass cheaper per image; decoding the
    /// upload costs the same either way. With the CPU fully busy, on/off throughput is at most
    /// (decode + model at batch 1) / (decode + model at batch 8) per image. Interleaved rounds, medians, CPU-ms.
    /// </summary>
    private static void BatchingBound(string modelPath, byte[][] small, byte[][] large)
    {
        using var model = Lookout.Core.Inference.ClassifierModel.Load(modelPath);
        var images = Enumerable.Range(0, 8).Select(i => Lookout.Core.Imaging.ImageLoader.Load(small[i % small.Length], model.Spec)).ToList();
        var wall1 = new List<double>(); var wall8 = new List<double>(); var wallM = new List<double>(); var bm = new List<double>();
        double Cpu(Action work, int n, List<double>? wall = null)
        {
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            work();
            wall?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds / n);
            return (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / n;
        }
        Cpu(() => model.Probabilities(images), 8);
        var b1 = new List<double>(); var b8 = new List<double>(); var ds = new List<double>(); var dl = new List<double>();
        for (int r = 0; r < 5; r++)
        {
            b1.Add(Cpu(() => { for (int k = 0; k < 4; k++) foreach (var img in images) model.Probabilities([img]); }, 32, wall1));
            b8.Add(Cpu(() => { for (int k = 0; k < 4; k++) model.Probabilities(images); }, 32, wall8));
            // Adaptive batches vary in size from pass to pass; ONNX Runtime plans memory per input shape.
            bm.Add(Cpu(() => { foreach (int n in MixedSizes) model.Probabilities(images.Take(n).ToList()); }, MixedSizes.Sum(), wallM));
            ds.Add(Cpu(() => { foreach (var b in small) Lookout.Core.Imaging.ImageLoader.Load(b, model.Spec); }, small.Length));
            dl.Add(Cpu(() => Lookout.Core.Imaging.ImageLoader.Load(large[r % large.Length], model.Spec), 1));
        }
        double m1 = BenchAssets.Median(b1), m8 = BenchAssets.Median(b8), s = BenchAssets.Median(ds), l = BenchAssets.Median(dl);
        Console.WriteLine(FormattableString.Invariant(
            $"bound: model alone {m1:0.0} CPU-ms/img at batch 1, {m8:0.0} at batch 8 ({m1 / m8:0.00}x), wall {BenchAssets.Median(wall1):0.0} vs {BenchAssets.Median(wall8):0.0} ms/img ({BenchAssets.Median(wall1) / BenchAssets.Median(wall8):0.00}x); mixed batch sizes 1..8 {BenchAssets.Median(bm):0.0} CPU-ms, {BenchAssets.Median(wallM):0.0} wall ms/img; decode 640x480 {s:0.0}, 12-MP {l:0.0} CPU-ms/img -> with the CPU saturated batching can give at most {(s + m1) / (s + m8):0.00}x (640x480) and {(l + m1) / (l + m8):0.00}x (12-MP), before HTTP costs"));
    }

    private static readonly int[] MixedSizes = [3, 8, 5, 1, 7, 2, 6, 4, 8, 3, 5, 2];

    private static void Print(ServeBenchResult r) => Console.WriteLine(FormattableString.Invariant(
        $"  {r.Name,-40} {r.Throughput,7:0.0} req/s  p50 {r.P50Ms,6:0} ms  p99 {r.P99Ms,6:0} ms  ok {r.Ok}  503 {r.Overloaded}{(r.Overloaded > 0 ? $" (p99 {r.RejectP99Ms:0.0} ms)" : "")}  other failures {r.OtherFailures}  cpu {r.CpuMsPerRequest:0.0} ms/req  ({r.Seconds:0.0} s, load {BenchAssets.LoadAverage()})") +
        Environment.NewLine + $"  {"",-40} {r.Stages}");

    private static async Task<ServeBenchResult> RunOnce(string name, ServerOptions options, byte[][] images, int concurrency, int requests)
    {
        await using var app = LookoutServer.BuildApp(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var url = LookoutServer.Addresses(app).Single() + "/v1/classify";
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(60) };
        using var cap = new CancellationTokenSource(TimeCap);
        var metrics = (Lookout.Server.Metrics.ServerMetrics)app.Services.GetService(typeof(Lookout.Server.Metrics.ServerMetrics))!;
        // A fresh server's first requests load the model and run cold code: users see that once per start, not per
        // request, so it is kept out of the percentiles (with 40 requests p99 is the slowest one).
        foreach (var image in images.Take(WarmUpRequests))
        {
            using var warm = new ByteArrayContent(image);
            warm.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
            using var _ = await http.PostAsync(url, warm, cap.Token);
        }
        var before = metrics.Stages("bench");
        var latencies = new List<double>();
        var rejections = new List<double>();
        int next = -1, ok = 0, overloaded = 0, other = 0;
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;

        async Task Client()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests && !cap.IsCancellationRequested)
            {
                var content = new ByteArrayContent(images[i % images.Length]);
                content.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync(url, content, cap.Token);
                    await response.Content.ReadAsByteArrayAsync(cap.Token);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (response.StatusCode == HttpStatusCode.OK) { Interlocked.Increment(ref ok); lock (latencies) latencies.Add(ms); }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
                    {
                        Interlocked.Increment(ref overloaded);
                        lock (rejections) rejections.Add(ms);
                    }
                    else Interlocked.Increment(ref other);
                }
                catch (Exception) when (!cap.IsCancellationRequested) { Interlocked.Increment(ref other); }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Client)));
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        var after = metrics.Stages("bench");
        var st = (DecodeSeconds: after.DecodeSeconds - before.DecodeSeconds, Decodes: after.Decodes - before.Decodes, WaitSeconds: after.WaitSeconds - before.WaitSeconds,
            Waits: after.Waits - before.Waits, ForwardSeconds: after.ForwardSeconds - before.ForwardSeconds, Passes: after.Passes - before.Passes);
        var stages = FormattableString.Invariant(
            $"decode {1000 * st.DecodeSeconds / Math.Max(1, st.Decodes):0.0} ms/img, queue wait {1000 * st.WaitSeconds / Math.Max(1, st.Waits):0.0} ms/img, pass {1000 * st.ForwardSeconds / Math.Max(1, st.Passes):0.0} ms wall for {(double)st.Waits / Math.Max(1, st.Passes):0.0} img ({1000 * st.ForwardSeconds / Math.Max(1, st.Waits):0.0} ms/img); model thread busy {st.ForwardSeconds / seconds:P0}; thread pool {ThreadPool.ThreadCount} threads");
        await app.StopAsync();
        latencies.Sort();
        rejections.Sort();
        return new ServeBenchResult(name, Math.Min(requests, next), ok, overloaded, other, seconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), Percentile(rejections, 0.99), cpuMs / Math.Max(1, ok + overloaded)) { Stages = stages };
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Lookout.Core.Export;
using Lookout.Core.Models.Backbones;
using Lookout.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using NetVips;
using Lookout.Core.Models.Heads;

namespace Lookout.Bench;

/// <summary>One load run against one server configuration.</summary>
public sealed record ServeBenchResult(string Name, int Requests, int Ok, int Overloaded, int OtherFailures,
    double Seconds, double P50Ms, double P99Ms, double RejectP99Ms, double CpuMsPerRequest)
{
    public double Throughput => Ok / Seconds;
}

/// <summary>
/// The HTTP server under a bounded loopback load (HttpClient, fixed request count, time cap), micro-batching on and
/// off in the same run, on a real exported classifier (generated 224-px backbone + head via ExportService) and
/// 640x480 JPEG uploads. Below capacity there must be no failed request; over capacity (a small queue, many more
/// concurrent clients) the only failures allowed are fast 503s.
/// </summary>
public static class ServeBench
{
    private const int Concurrency = 16, Requests = 160, Rounds = 3, OverloadConcurrency = 64, OverloadRequests = 640;
    private static readonly TimeSpan TimeCap = TimeSpan.FromSeconds(60);

    public static async Task Run()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-servebench").FullName;
        try
        {
            var modelsDir = Directory.CreateDirectory(Path.Combine(dir, "models")).FullName;
            ExportModel(dir, modelsDir);
            var images = Enumerable.Range(0, 8).Select(Jpeg).ToArray();
            var baseOptions = new ServerOptions { ModelsDirectory = modelsDir, Urls = "http://127.0.0.1:0", WatchModels = false, QueueCapacity = 256 };

            Console.WriteLine($"model: generated backbone 224 px + 5-class head; {images.Length} JPEGs 640x480 ~{images.Average(i => i.Length) / 1024:0} KB; {Environment.ProcessorCount} cores");
            Console.WriteLine($"load: {Rounds} interleaved rounds of {Requests} requests per configuration, {Concurrency} concurrent clients, loopback HTTP/1.1, cap {TimeCap.TotalSeconds:0} s");
            await RunOnce("warm-up", baseOptions, images, Concurrency, 64);
            var rounds = new List<(ServeBenchResult Off, ServeBenchResult On)>();
            for (int r = 0; r < Rounds; r++) // interleaved, so a noisy neighbour hurts both sides alike
            {
                var off = await RunOnce("batching off (max batch 1)", baseOptions with { MaxBatchSize = 1 }, images, Concurrency, Requests);
                var on = await RunOnce("batching on (max 16, wait 2 ms)", baseOptions with { MaxBatchSize = 16, MaxBatchWait = TimeSpan.FromMilliseconds(2) }, images, Concurrency, Requests);
                Print(off);
                Print(on);
                rounds.Add((off, on));
            }
            var over = await RunOnce($"over capacity (queue 8, {OverloadConcurrency} clients)", baseOptions with { QueueCapacity = 8 }, images, OverloadConcurrency, OverloadRequests);
            Print(over);
            var ratios = rounds.Select(x => x.On.Throughput / x.Off.Throughput).Order().ToList();
            var p99 = rounds.Select(x => x.On.P99Ms / x.Off.P99Ms).Order().ToList();
            var cpu = rounds.Select(x => x.Off.CpuMsPerRequest / x.On.CpuMsPerRequest).Order().ToList();
            Console.WriteLine($"batching on / off throughput, median of {Rounds} rounds: {ratios[Rounds / 2]:0.00}x (rounds: {string.Join(", ", ratios.Select(v => v.ToString("0.00")))}); p99 ratio {p99[Rounds / 2]:0.00}; CPU per request off / on {cpu[Rounds / 2]:0.00}x");
            bool healthy = rounds.All(x => x.Off.Overloaded + x.Off.OtherFailures + x.On.Overloaded + x.On.OtherFailures == 0) && over.OtherFailures == 0;
            Console.WriteLine(healthy ? "failures: none below capacity; over capacity only 503s" : "FAILURES: see above");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Print(ServeBenchResult r) => Console.WriteLine(
        $"{r.Name,-38} {r.Throughput,7:0.0} req/s  p50 {r.P50Ms,6:0.0} ms  p99 {r.P99Ms,6:0.0} ms  ok {r.Ok}  503 {r.Overloaded}{(r.Overloaded > 0 ? $" (p99 {r.RejectP99Ms:0.0} ms)" : "")}  other failures {r.OtherFailures}  cpu {r.CpuMsPerRequest:0.0} ms/req  ({r.Seconds:0.0} s)");

    private static async Task<ServeBenchResult> RunOnce(string name, ServerOptions options, byte[][] images, int concurrency, int requests)
    {
        await using var app = LookoutServer.BuildApp(options, configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var url = LookoutServer.Addresses(app).Single() + "/v1/classify";
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { Timeout = TimeSpan.FromSeconds(30) };
        using var cap = new CancellationTokenSource(TimeCap);
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
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds; // server + client: same for both configs
        await app.StopAsync();
        latencies.Sort();
        rejections.Sort();
        return new ServeBenchResult(name, Math.Min(requests, next), ok, overloaded, other, seconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), Percentile(rejections, 0.99), cpuMs / Math.Max(1, ok + overloaded));
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static void ExportModel(string dir, string modelsDir)
    {
        var backbone = GeneratedBackbone.Write(Path.Combine(dir, "backbone.onnx"), size: 224);
        var rng = new Random(7);
        int d = backbone.EmbeddingDim, c = 5;
        var layer = new DenseLayer(d, c, Enumerable.Range(0, d * c).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray(), new float[c]);
        var head = new HeadWeights(["a", "b", "c", "d", "e"], new float[d], Enumerable.Repeat(1f, d).ToArray(), [layer]);
        ExportService.Export(backbone, head, "bench", Path.Combine(modelsDir, "bench.onnx"));
    }

    private static byte[] Jpeg(int seed)
    {
        using var noise = Image.Gaussnoise(640, 480, mean: 128, sigma: 40, seed: seed);
        using var rgb = noise.Bandjoin(noise.Linear([0.5], [60.0]), noise.Linear([-0.7], [220.0]));
        using var u8 = rgb.Cast(Enums.BandFormat.Uchar);
        return u8.JpegsaveBuffer(q: 85);
    }
}

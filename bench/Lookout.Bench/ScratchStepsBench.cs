using System.Diagnostics;
using System.Globalization;
using Lookout.Core.Torch;
using Lookout.Core.Training.Scratch;
using TorchSharp;
using static TorchSharp.torch;

namespace Lookout.Bench;

/// <summary>
/// CPU cost of one training step of the compact from-scratch CNN (forward, backward, SGD) on a random 28x28 batch,
/// for memory layouts and architectures, interleaved in rounds so a busy machine hurts every variant alike. Prints
/// CPU-ms and wall-ms per step (medians over rounds) and each variant's ratio to the first.
/// Usage: bench scratchsteps [--steps 20] [--rounds 3] [--batch 128]
/// </summary>
public static class ScratchStepsBench
{
    private sealed record Variant(string Name, CompactCnnOptions Options, bool ChannelsLast);

    public static void Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int steps = int.Parse(Arg("--steps", "20"), CultureInfo.InvariantCulture);
        int rounds = int.Parse(Arg("--rounds", "3"), CultureInfo.InvariantCulture);
        int batch = int.Parse(Arg("--batch", "128"), CultureInfo.InvariantCulture);
        TorchRuntime.EnsureVerified();
        var baseline = new CompactCnnOptions();
        Variant[] variants =
        [
            new("32,64,128 x2 NCHW", baseline, false),
            new("32,64,128 x2 channels-last", baseline, true),
            new("32,64,128 x1 NCHW", baseline with { ConvsPerStage = 1 }, false),
            new("48,96,192 x1 channels-last", baseline with { Widths = [48, 96, 192], ConvsPerStage = 1 }, true),
        ];
        var cpu = variants.ToDictionary(v => v.Name, _ => new List<double>());
        var wall = variants.ToDictionary(v => v.Name, _ => new List<double>());
        for (int r = 0; r < rounds; r++)
            foreach (var v in variants)
            {
                var (c, w) = Measure(v, steps, batch);
                cpu[v.Name].Add(c); wall[v.Name].Add(w);
            }
        double first = Median(cpu[variants[0].Name]);
        Console.WriteLine($"{steps} steps x {rounds} rounds, batch {batch}, 28x28x3; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        foreach (var v in variants)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {v.Name,-30} {Median(cpu[v.Name]),7:0.0} CPU-ms/step  {Median(wall[v.Name]),7:0.0} wall-ms/step  {Median(cpu[v.Name]) / first:0.00}x CPU"));
    }

    private static (double CpuMs, double WallMs) Measure(Variant v, int steps, int batch)
    {
        using var model = new CompactCnn(10, v.Options);
        model.train();
        using var optimizer = optim.SGD(model.parameters(), 0.05, 0.9, 0, 5e-4, nesterov: true);
        var rng = new Random(1);
        var pixels = Enumerable.Range(0, batch * 3 * 28 * 28).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var labels = Enumerable.Range(0, batch).Select(i => (long)(i % 10)).ToArray();
        void Step()
        {
            using var scope = NewDisposeScope();
            var x = v.ChannelsLast ? tensor(pixels).reshape(batch, 28, 28, 3).permute(0, 3, 1, 2) : tensor(pixels).reshape(batch, 3, 28, 28);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), tensor(labels));
            loss.backward();
            optimizer.step();
            _ = loss.item<float>();
        }
        Step(); Step(); // warm-up: oneDNN primitives are created on first use
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        process.Refresh();
        return ((process.TotalProcessorTime - cpu0).TotalMilliseconds / steps, clock.Elapsed.TotalMilliseconds / steps);
    }

    private static double Median(List<double> xs) { var s = xs.Order().ToArray(); return s[s.Length / 2]; }
}

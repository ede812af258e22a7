using System.Diagnostics;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Torch;
using Lookout.Core.Training.FineTuning;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Lookout.Bench;

/// <summary>
/// What the libtorch self-check's fallback costs: fine-tuning training steps (forward, backward through the default
/// trainable blocks, AdamW) with oneDNN and with libtorch's built-in kernels, interleaved in one run, as images/s;
/// plus whether each configuration passes <see cref="KernelCheck"/> on this CPU (a fast wrong answer is no answer).
/// Usage: torchkernels [--model nanodet-backbone] [--batch 16] [--blocks 9] [--steps 5]
/// </summary>
public static class TorchKernelsBench
{
    public static void Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var modelName = Arg("--model", "nanodet-backbone");
        int batch = int.Parse(Arg("--batch", "16")), blocks = int.Parse(Arg("--blocks", "9")), steps = int.Parse(Arg("--steps", "5"));
        var kernels = new[] { TorchKernels.OneDnn, TorchKernels.Native };
        var choice = TorchRuntime.EnsureVerified();
        Console.WriteLine($"torch threads {torch.get_num_threads()}, load avg {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; " +
                          $"self-check chose {TorchKernelSelector.Name(choice.Kernels)}");
        foreach (var k in kernels)
        {
            if (!TorchRuntime.TryApply(k)) { Console.WriteLine($"{TorchKernelSelector.Name(k)}: cannot be selected here"); return; }
            var check = KernelCheck.Run();
            Console.WriteLine($"{TorchKernelSelector.Name(k),-28} self-check: " +
                              (check.Passed ? "correct" : $"WRONG ({check.Mismatches.Count} probes; worst {check.Worst!.Probe} off by {check.Worst.RelativeError:0.0e+0})"));
        }

        torch.manual_seed(1);
        var model = new ModelCatalog(LookoutCache.Root()).Build(modelName);
        using var net = new FineTuneNetwork(model, blocks, "embedding", 10, null);
        var pixels = new byte[batch * net.InputHeight * net.InputWidth * 3];
        new Random(1).NextBytes(pixels);
        using var x = torch.tensor(pixels, dtype: ScalarType.Byte).reshape(batch, net.InputHeight, net.InputWidth, 3);
        using var y = torch.tensor(Enumerable.Range(0, batch).Select(i => (long)(i % 10)).ToArray());
        using var opt = new AdamW([new ParameterGroup("b", 1e-4, net.BackboneParameters), new ParameterGroup("h", 1e-3, net.HeadParameters)], 1e-4);
        var wall = kernels.ToDictionary(k => k, _ => new List<double>());
        var cpu = kernels.ToDictionary(k => k, _ => new List<double>());
        var process = Process.GetCurrentProcess();
        for (int i = 0; i < steps + 1; i++)
            foreach (var k in kernels) // interleaved: both see the same machine load
            {
                TorchRuntime.TryApply(k);
                process.Refresh();
                var cpu0 = process.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                using (torch.NewDisposeScope())
                {
                    var loss = F.cross_entropy(net.Logits(x), y);
                    opt.ZeroGrad();
                    loss.backward();
                    opt.Step();
                }
                process.Refresh();
                if (i == 0) continue; // warm-up (oneDNN compiles its kernels on first use)
                wall[k].Add(sw.Elapsed.TotalMilliseconds);
                cpu[k].Add((process.TotalProcessorTime - cpu0).TotalMilliseconds);
            }
        TorchRuntime.TryApply(choice.Kernels);

        Console.WriteLine($"{modelName}, {blocks} trainable blocks, batch {batch} @ {net.InputWidth}px, median of {steps} steps:");
        foreach (var k in kernels)
        {
            double ms = Median(wall[k]);
            Console.WriteLine($"  {TorchKernelSelector.Name(k),-28} {batch * 1000 / ms,6:F1} img/s  ({ms:F0} ms/step wall, {Median(cpu[k]):F0} ms CPU)");
        }
        double ratio = Median(wall[TorchKernels.Native]) / Median(wall[TorchKernels.OneDnn]);
        Console.WriteLine($"  built-in / oneDNN step time = {ratio:F2}x (the fallback's cost where oneDNN is wrong)");
    }

    private static double Median(List<double> v)
    {
        var s = v.Order().ToList();
        return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}

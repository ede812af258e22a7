using Lookout.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Lookout.Core.Training.Scratch;

/// <summary>Which libtorch kernels train a compact CNN here, and why.</summary>
public sealed record CnnKernelChoice(TorchKernels Kernels, double WorstRelativeError, string Reason);

/// <summary>
/// On CPUs where the process-wide self-check rejected oneDNN (some of its convolutions are wrong there), oneDNN may
/// still be right for every layer of one particular network, and it is 5-17x faster than libtorch's built-in
/// convolutions on small images (bench <c>convpath</c>). Where it is wrong (channel counts oneDNN pads to blocks of 16)
/// it is wrong only some of the time (measured: 5 of 12 checks of an 8/12/16-channel net passed, every check of 16/32/48
/// and 32/64/128 did), so one passing check proves nothing there: such networks keep the verified kernels. Others run
/// the network's forward and backward passes on <see cref="Probes"/> seeded batches with the verified kernels and with
/// oneDNN and keep oneDNN only when the logits and every parameter gradient agree every time (relative error below
/// <see cref="Tolerance"/>). Eval mode, so the check changes no statistics. The choice is remembered per architecture
/// and input size, so every training of one network in a process uses the same kernels (same seed, same weights).
/// </summary>
public static class CompactCnnKernels
{
    public const double Tolerance = 1e-3;
    public const int ChannelBlock = 16;
    public const int Probes = 3;

    private static readonly Dictionary<string, CnnKernelChoice> Chosen = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    public static CnnKernelChoice Choose(CompactCnn model, int height, int width)
    {
        var verified = TorchRuntime.EnsureVerified().Kernels;
        if (verified == TorchKernels.OneDnn) return new(verified, 0, "the self-check accepted oneDNN");
        var key = $"{string.Join(",", model.Options.Widths)}x{model.Options.ConvsPerStage}@{height}x{width}";
        lock (Gate)
        {
            if (Chosen.TryGetValue(key, out var known)) return known;
            var choice = Check(model, height, width, verified);
            Chosen[key] = choice;
            return choice;
        }
    }

    private static CnnKernelChoice Check(CompactCnn model, int height, int width, TorchKernels verified)
    {
        if (model.Options.Widths.Any(w => w % ChannelBlock != 0))
            return new(verified, double.NaN, $"channel counts {string.Join("/", model.Options.Widths)} are not all multiples of {ChannelBlock}, " +
                                             "where oneDNN is wrong on this CPU; using the built-in kernels");
        double worst = 0;
        for (int seed = 0; seed < Probes && worst < Tolerance; seed++)
        {
            var reference = Probe(model, height, width, 17 + seed);
            float[][] candidate;
            using (TorchRuntime.Use(TorchKernels.OneDnn)) candidate = Probe(model, height, width, 17 + seed);
            for (int i = 0; i < reference.Length; i++) worst = Math.Max(worst, Relative(candidate[i], reference[i]));
        }
        return worst < Tolerance
            ? new(TorchKernels.OneDnn, worst, $"oneDNN matches the built-in kernels on every layer of this network in {Probes} checks (worst relative error {worst:0.0e+0})")
            : new(verified, worst, $"oneDNN differs from the built-in kernels on this network (relative error {worst:0.0e+0}); using the built-in kernels");
    }

    /// <summary>Logits, then every parameter's gradient, for a seeded random batch of 4.</summary>
    private static float[][] Probe(CompactCnn model, int height, int width, int seed)
    {
        using var scope = NewDisposeScope();
        bool wasTraining = model.training;
        model.eval();
        foreach (var p in model.parameters()) p.grad?.zero_();
        var r = new Random(seed);
        var x = tensor(Enumerable.Range(0, 4 * 3 * height * width).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray()).reshape(4, 3, height, width);
        var logits = model.call(x);
        logits.square().mean().backward();
        var result = new List<float[]> { logits.detach().data<float>().ToArray() };
        foreach (var p in model.parameters())
        {
            result.Add(p.grad!.detach().data<float>().ToArray());
            p.grad.zero_();
        }
        if (wasTraining) model.train();
        return [.. result];
    }

    private static double Relative(float[] a, float[] b)
    {
        double d = 0, m = 1e-12;
        for (int i = 0; i < a.Length; i++) { d = Math.Max(d, Math.Abs(a[i] - b[i])); m = Math.Max(m, Math.Abs(b[i])); }
        return d / m;
    }
}

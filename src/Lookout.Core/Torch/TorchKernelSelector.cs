namespace Lookout.Core.Torch;

/// <summary>A configuration that was tried and rejected, with what was wrong (null check result: could not be applied).</summary>
public sealed record RejectedKernels(TorchKernels Kernels, KernelCheckResult? Check);

/// <summary>The kernels Lookout will use, and the preferred ones it rejected on the way.</summary>
public sealed record TorchKernelChoice(TorchKernels Kernels, IReadOnlyList<RejectedKernels> Rejected)
{
    public bool IsFallback => Rejected.Count > 0;
}

/// <summary>
/// The self-check's decision, kept free of libtorch so it can be tested: the first candidate whose check passes wins;
/// none passing is an error, because training on wrong gradients silently produces a bad model.
/// </summary>
public static class TorchKernelSelector
{
    /// <param name="candidates">In order of preference.</param>
    /// <param name="check">Applies a candidate and checks it; null when the candidate cannot be applied here.</param>
    public static TorchKernelChoice Choose(IReadOnlyList<TorchKernels> candidates, Func<TorchKernels, KernelCheckResult?> check)
    {
        var rejected = new List<RejectedKernels>();
        foreach (var candidate in candidates)
        {
            var result = check(candidate);
            if (result is { Passed: true }) return new TorchKernelChoice(candidate, rejected);
            rejected.Add(new RejectedKernels(candidate, result));
        }
        throw new LookoutException(
            "libtorch computes wrong results on this CPU with every kernel configuration Lookout knows (" +
            string.Join("; ", rejected.Select(Describe)) + "), so Lookout refuses to train or explain here. " +
            "Classification, detection and serving use ONNX Runtime and are not affected.");
    }

    public static string Describe(RejectedKernels r) => r.Check?.Worst is { } worst
        ? $"{Name(r.Kernels)}: {worst.Probe} off by {worst.RelativeError:0.0e+0}"
        : $"{Name(r.Kernels)}: cannot be selected in this libtorch build";

    public static string Name(TorchKernels kernels) => kernels switch
    {
        TorchKernels.OneDnn => "oneDNN",
        TorchKernels.Native => "libtorch's built-in kernels",
        _ => kernels.ToString(),
    };

    /// <summary>The one line a user sees when the fallback was needed.</summary>
    public static string Notice(TorchKernelChoice choice) =>
        $"lookout: libtorch computes wrong results on this CPU with {string.Join(" and ", choice.Rejected.Select(r => Name(r.Kernels)))} " +
        $"({string.Join("; ", choice.Rejected.Select(r => r.Check?.Worst is { } w ? $"{w.Probe} off by {w.RelativeError:0.0e+0}" : "cannot be selected"))}); " +
        $"using {Name(choice.Kernels)} instead (correct, slower).";
}

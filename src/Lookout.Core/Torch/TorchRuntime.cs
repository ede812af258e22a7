namespace Lookout.Core.Torch;

/// <summary>
/// Makes libtorch trustworthy before Lookout computes anything with it (fine-tuning, head training, Grad-CAM): once per
/// process, <see cref="KernelCheck"/> judges the preferred kernels against plain reference loops, and the first
/// correct configuration is kept. Why: libtorch's oneDNN gives wrong convolutions on some CPUs (seen on AMD Zen 5
/// VMs whose CPUID reports no cache topology), deterministically and silently; ONNX Runtime is unaffected.
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static TorchKernelChoice? _choice;

    /// <summary>Where the one-line notice goes when a fallback is used (the CLI's stderr by default; a server logs it).</summary>
    public static Action<string> Notice { get; set; } = message => Console.Error.WriteLine(message);

    /// <summary>
    /// The linux-arm64 bundle (scripts/bundle-arm64.sh) ships without libtorch and without the pretrained model
    /// packages: training of any kind is refused at once, in one line, before it fails on something missing.
    /// </summary>
    public static void EnsureTrainingPlatform()
    {
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
            throw new LookoutException("training, fine-tuning and Grad-CAM run on x86-64 only; this arm64 build only infers (train on an x86-64 machine and copy the exported .onnx here)");
    }

    /// <summary>Runs the self-check on first use and returns the configuration in force; throws when none is correct.</summary>
    public static TorchKernelChoice EnsureVerified()
    {
        lock (Gate)
        {
            if (_choice is not null) return _choice;
            EnsureTrainingPlatform();
            // NNPACK is never Lookout's choice, and on CPUs it does not know it prints a warning per convolution.
            if (LibTorchSwitches.Available) LibTorchSwitches.NnpackEnabled = false;
            var choice = TorchKernelSelector.Choose([TorchKernels.OneDnn, TorchKernels.Native], candidate =>
            {
                if (!TryApply(candidate)) return null;
                return KernelCheck.Run();
            });
            _choice = choice;
            if (choice.IsFallback) Notice(TorchKernelSelector.Notice(choice));
            return choice;
        }
    }

    /// <summary>
    /// Switches kernels without checking them (benchmarks compare the configurations' speed). Returns false when this
    /// libtorch build cannot select them.
    /// </summary>
    public static bool TryApply(TorchKernels kernels)
    {
        if (!LibTorchSwitches.Available) return kernels == TorchKernels.OneDnn; // libtorch's default
        LibTorchSwitches.OneDnnEnabled = kernels == TorchKernels.OneDnn;
        return true;
    }

    /// <summary>
    /// Switches to <paramref name="kernels"/> until the returned scope is disposed, then back to the verified choice.
    /// The switch is process-wide: use it only where a network-specific parity check (for example
    /// <see cref="Training.Scratch.CompactCnnKernels"/>) has shown these kernels right for every layer about to run, and
    /// only while nothing else in the process computes with libtorch.
    /// </summary>
    public static IDisposable Use(TorchKernels kernels)
    {
        var verified = EnsureVerified().Kernels;
        if (kernels == verified || !TryApply(kernels)) return new Restore(null);
        return new Restore(verified);
    }

    private sealed class Restore(TorchKernels? back) : IDisposable
    {
        private TorchKernels? _back = back;

        public void Dispose()
        {
            if (_back is { } k) TryApply(k);
            _back = null;
        }
    }
}

using System.Runtime.InteropServices;
using TorchSharp;

namespace Lookout.Core.Torch;

/// <summary>
/// libtorch's process-wide backend switches (<c>at::globalContext()</c>), which TorchSharp does not expose. They are
/// C++ member functions, so they are called through their mangled names with the context as the first argument (the
/// Itanium C++ ABI on x86-64 and arm64). Unlike oneDNN's <c>DNNL_MAX_CPU_ISA</c>, which is read once when oneDNN first
/// runs, these switches take effect on the next op, so Lookout can test a configuration and change it at run time.
/// </summary>
internal static unsafe class LibTorchSwitches
{
    private static readonly Lazy<Entry?> Entries = new(Load);

    /// <summary>False when this libtorch build does not export the switches (a different libtorch version).</summary>
    public static bool Available => Entries.Value is not null;

    /// <summary>Whether ATen may route convolutions (and bf16 matmuls) to oneDNN ("mkldnn").</summary>
    public static bool OneDnnEnabled
    {
        get => Entries.Value is { } e && e.GetMkldnn(e.Context()) != 0;
        set => Require().SetMkldnn(Require().Context(), value ? (byte)1 : (byte)0);
    }

    /// <summary>NNPACK convolutions; on CPUs NNPACK does not recognise, every attempt prints a warning on stderr.</summary>
    public static bool NnpackEnabled
    {
        set => Require().SetNnpack(Require().Context(), value ? (byte)1 : (byte)0);
    }

    private static Entry Require() => Entries.Value
        ?? throw new LookoutException("This libtorch build does not export the backend switches Lookout needs (at::Context).");

    private static Entry? Load()
    {
        torch.InitializeDeviceType(DeviceType.CPU); // makes TorchSharp load libtorch_cpu.so first
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out var lib)) return null;
        bool Get(string name, out IntPtr p) => NativeLibrary.TryGetExport(lib, name, out p);
        if (!Get("_ZN2at13globalContextEv", out var context)
            || !Get("_ZNK2at7Context17userEnabledMkldnnEv", out var getMkldnn)
            || !Get("_ZN2at7Context20setUserEnabledMkldnnEb", out var setMkldnn)
            || !Get("_ZN2at7Context20setUserEnabledNNPACKEb", out var setNnpack))
            return null;
        return new Entry(
            (delegate* unmanaged<IntPtr>)context,
            (delegate* unmanaged<IntPtr, byte>)getMkldnn,
            (delegate* unmanaged<IntPtr, byte, void>)setMkldnn,
            (delegate* unmanaged<IntPtr, byte, void>)setNnpack);
    }

    private sealed class Entry(
        delegate* unmanaged<IntPtr> context,
        delegate* unmanaged<IntPtr, byte> getMkldnn,
        delegate* unmanaged<IntPtr, byte, void> setMkldnn,
        delegate* unmanaged<IntPtr, byte, void> setNnpack)
    {
        public IntPtr Context() => context();
        public byte GetMkldnn(IntPtr ctx) => getMkldnn(ctx);
        public void SetMkldnn(IntPtr ctx, byte on) => setMkldnn(ctx, on);
        public void SetNnpack(IntPtr ctx, byte on) => setNnpack(ctx, on);
    }
}

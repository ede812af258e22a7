using TorchSharp;

namespace Lookout.Core.Torch;

/// <summary>The one place a torch device is chosen, so a CUDA build of libtorch only needs a different package.</summary>
public static class TorchDevice
{
    /// <summary>Also makes sure libtorch's CPU kernels are correct on this machine before anything trains.</summary>
    public static torch.Device Pick(string preference = "auto")
    {
        TorchRuntime.EnsureVerified();
        return Resolve(preference);
    }

    private static torch.Device Resolve(string preference) => preference switch
    {
        "cpu" => torch.CPU,
        "cuda" => torch.cuda.is_available() ? torch.CUDA
            : throw new InvalidOperationException("Device 'cuda' was requested but CUDA is not available in this libtorch build."),
        _ => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
    };
}

using TorchSharp;

namespace Lookout.Core.Models.Torch;

/// <summary>The one place a torch device is chosen, so a CUDA build of libtorch only needs a different package.</summary>
public static class TorchDevice
{
    public static torch.Device Pick(string preference = "auto") => preference switch
    {
        "cpu" => torch.CPU,
        "cuda" => torch.cuda.is_available() ? torch.CUDA
            : throw new InvalidOperationException("Device 'cuda' was requested but CUDA is not available in this libtorch build."),
        _ => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
    };
}

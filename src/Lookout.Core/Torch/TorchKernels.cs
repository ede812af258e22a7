namespace Lookout.Core.Torch;

/// <summary>Which CPU kernels libtorch uses for convolutions (and bf16 matmuls), in order of preference.</summary>
public enum TorchKernels
{
    /// <summary>oneDNN (libtorch's default on x86-64): fastest, but its blocked-layout paths are wrong on some CPUs.</summary>
    OneDnn,

    /// <summary>libtorch's own ATen kernels (im2col + BLAS, native depthwise): slower, no oneDNN involved.</summary>
    Native,
}

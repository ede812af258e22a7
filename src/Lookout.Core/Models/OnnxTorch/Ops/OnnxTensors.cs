using System.Runtime.InteropServices;
using Lookout.Core.Models.Onnx;
using static TorchSharp.torch;

namespace Lookout.Core.Models.OnnxTorch.Ops;

/// <summary>Copies between ONNX initializers (little-endian raw bytes) and CPU torch tensors.</summary>
internal static class OnnxTensors
{
    public static Tensor ToTorch(OnnxTensor t)
    {
        var dims = t.Dims;
        var raw = t.RawData;
        Tensor flat = t.Type switch
        {
            OnnxDataType.Float => tensor(MemoryMarshal.Cast<byte, float>(raw).ToArray()),
            OnnxDataType.Double => tensor(MemoryMarshal.Cast<byte, double>(raw).ToArray()),
            OnnxDataType.Int64 => tensor(MemoryMarshal.Cast<byte, long>(raw).ToArray()),
            OnnxDataType.Int32 => tensor(MemoryMarshal.Cast<byte, int>(raw).ToArray()),
            OnnxDataType.Uint8 => tensor(raw.ToArray()),
            OnnxDataType.Bool => tensor(raw.Select(b => b != 0).ToArray()),
            // Half weights are widened: the executor trains in float32.
            OnnxDataType.Float16 => tensor(MemoryMarshal.Cast<byte, Half>(raw).ToArray().Select(h => (float)h).ToArray()),
            _ => throw new LookoutException($"Initializer '{t.Name}' has type {t.Type}, which the TorchSharp executor does not support."),
        };
        using (flat) return flat.reshape(dims);
    }

    /// <summary>A float32 tensor's values as an ONNX Float initializer with the same name and dims.</summary>
    public static OnnxTensor FromTorch(string name, Tensor t, long[] dims)
    {
        using var f = t.detach().to_type(ScalarType.Float32).contiguous();
        return OnnxTensor.FromFloats(name, f.data<float>().ToArray(), dims);
    }
}

using Lookout.Core.Imaging;

namespace Lookout.Core.Models.Onnx;

/// <summary>
/// The in-graph half of preprocessing: uint8 NHWC RGB "image" input -> float NCHW normalised tensor.
/// Every backbone Lookout writes starts with this, which is what makes train/serve parity exact.
/// </summary>
public static class ImageInputPrologue
{
    public const string InputName = "image";

    /// <summary>Declares the <c>image</c> input and returns the name of the normalised float tensor.</summary>
    /// <param name="nchw">True for NCHW output (most backbones); false keeps NHWC.</param>
    public static string Append(OnnxGraphBuilder b, PreprocessSpec spec, bool nchw = true)
    {
        b.Input(InputName, OnnxDataType.Uint8, "N", spec.Height, spec.Width, 3);
        var x = b.Node("Cast", [InputName], OnnxAttribute.Of("to", (long)OnnxDataType.Float));
        if (spec.Bgr)
            x = b.Node("Gather", [x, b.Int64s("bgr_order", [2, 1, 0], 3)], OnnxAttribute.Of("axis", 3L));
        var mean = spec.Bgr ? spec.Mean.Reverse().ToArray() : spec.Mean;
        var std = spec.Bgr ? spec.Std.Reverse().ToArray() : spec.Std;
        bool identity = mean.All(m => m == 0f) && std.All(s => s == 1f);
        if (!identity)
        {
            // (x - mean) / std == x * (1/std) + (-mean/std): one Mul and one Add.
            var scale = std.Select(s => 1f / s).ToArray();
            var shift = mean.Zip(std, (m, s) => -m / s).ToArray();
            x = b.Node("Mul", [x, b.Floats("pre_scale", scale, 3)]);
            x = b.Node("Add", [x, b.Floats("pre_shift", shift, 3)]);
        }
        return nchw ? b.Node("Transpose", [x], OnnxAttribute.Of("perm", 0L, 3L, 1L, 2L)) : x;
    }
}

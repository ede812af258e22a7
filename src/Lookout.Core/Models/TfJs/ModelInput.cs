using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Models.TfJs;

/// <summary>Declares the converted graph's input for the TF Placeholder: uint8 <c>image</c> with in-graph normalisation, or float.</summary>
internal static class ModelInput
{
    public static TfValue Declare(ConversionContext ctx, TfNode placeholder, TfJsConversionOptions o)
    {
        var declared = placeholder.Attr("shape")?.Shape
            ?? throw new TfJsFormatException($"Input '{placeholder.Name}' has no static shape.");
        if (declared.Length != 4) throw new TfJsFormatException($"Input '{placeholder.Name}' is {declared.Length}-D; image models have 4-D inputs.");
        bool nchw = declared[3] != 3 && declared[1] == 3; // nanodet's input is [1,3,H,W]
        int hAxis = nchw ? 2 : 1, wAxis = nchw ? 3 : 2;
        var shape = declared.ToArray();
        shape[0] = TfValue.Batch; // any batch
        if (o.InputHeight is { } h) shape[hAxis] = h;
        if (o.InputWidth is { } w) shape[wAxis] = w;
        if (declared[hAxis] > 0 && declared[wAxis] > 0)
            ctx.InputScale = ((double)shape[hAxis] / declared[hAxis], (double)shape[wAxis] / declared[wAxis]);

        if (o.Preprocess is { } spec)
        {
            if (spec.Width != shape[wAxis] || spec.Height != shape[hAxis])
                throw new ArgumentException($"Preprocess size {spec.Width}x{spec.Height} differs from the model input {shape[wAxis]}x{shape[hAxis]}.");
            var x = ImageInputPrologue.Append(ctx.B, spec, nchw: true); // physically NCHW
            return ctx.Var(x, nchw ? Perms.Identity(4) : Perms.Nchw, TfDType.Float32, shape);
        }
        var dims = shape.Select((d, i) => d >= 0 ? (OnnxDim)d : "N").ToArray();
        ctx.B.Input(o.FloatInputName, OnnxDataType.Float, dims);
        return ctx.Var(o.FloatInputName, Perms.Identity(4), TfDType.Float32, shape);
    }
}

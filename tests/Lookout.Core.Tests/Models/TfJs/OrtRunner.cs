using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.TfJs;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lookout.Core.Tests.Models.TfJs;

/// <summary>Converts a (synthetic) TF.js model with a float input and runs it once in ONNX Runtime.</summary>
public static class OrtRunner
{
    public static (int[] Shape, float[] Data) Run(TfJsModel model, string outputNode, float[] input, int[] inputShape)
    {
        var onnx = TfJsConverter.Convert(model, new TfJsConversionOptions { Outputs = [new TfJsOutput(outputNode, "y")] });
        using var session = new InferenceSession(OnnxWriter.Serialize(onnx));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input, inputShape))]);
        var t = results.Single(r => r.Name == "y").AsTensor<float>();
        return (t.Dimensions.ToArray(), t.ToArray());
    }
}

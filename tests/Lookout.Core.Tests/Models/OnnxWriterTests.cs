using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lookout.Core.Tests.Models;

public class OnnxWriterTests
{
    [Fact]
    public void WrittenModel_RunsInOnnxRuntime_WithInGraphNormalisation()
    {
        var spec = new PreprocessSpec { Width = 2, Height = 2, Mean = [10f, 20f, 30f], Std = [2f, 4f, 5f] };
        var b = new OnnxGraphBuilder();
        var x = ImageInputPrologue.Append(b, spec);               // [N,3,2,2]
        var pooled = b.Node("GlobalAveragePool", [x]);            // [N,3,1,1]
        b.NodeNamed("Flatten", [pooled], ["embedding"], OnnxAttribute.Of("axis", 1L));
        b.Output("embedding", OnnxDataType.Float, "N", 3);
        var model = new OnnxModel { Graph = b.Graph };
        model.Metadata["lookout.preprocess"] = spec.ToJson();

        var bytes = OnnxWriter.Serialize(model);
        using var session = new InferenceSession(bytes);
        var pixels = new byte[] { 10, 20, 30, 12, 24, 35, 14, 28, 40, 16, 32, 45 }; // 4 pixels RGB
        var input = new DenseTensor<byte>(pixels, [1, 2, 2, 3]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("image", input)]);
        var emb = results.First().AsEnumerable<float>().ToArray();
        // channel means: R (10+12+14+16)/4=13 -> (13-10)/2=1.5; G 26 -> 1.5; B 37.5 -> 1.5
        Assert.Equal([1.5f, 1.5f, 1.5f], emb);
        Assert.Equal(spec, PreprocessSpec.FromJson(session.ModelMetadata.CustomMetadataMap["lookout.preprocess"]));
    }

    [Fact]
    public void ReaderRoundTripsWhatWriterWrote()
    {
        var b = new OnnxGraphBuilder();
        b.Input("x", OnnxDataType.Float, "N", 4);
        var w = b.Floats("w", [1, 2, 3, 4, 5, 6, 7, 8], 4, 2);
        var y = b.Node("MatMul", [ "x", w ]);
        b.NodeNamed("Softmax", [y], ["probs"], OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("note", "a"), OnnxAttribute.Of("f", 0.5f));
        b.Output("probs", OnnxDataType.Float, "N", 2);
        var model = new OnnxModel { Graph = b.Graph };
        model.Metadata["lookout.labels"] = "[\"a\",\"b\"]";

        var back = OnnxReader.Parse(OnnxWriter.Serialize(model));
        Assert.Equal(17, back.DefaultOpset);
        Assert.Equal("[\"a\",\"b\"]", back.Metadata["lookout.labels"]);
        Assert.Equal(2, back.Graph.Nodes.Count);
        var softmax = back.Graph.Nodes[1];
        Assert.Equal(-1L, softmax.Attribute("axis")!.I);
        Assert.Equal("a", softmax.Attribute("note")!.S);
        Assert.Equal(0.5f, softmax.Attribute("f")!.F);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, back.Graph.Initializers[0].ToFloats());
        Assert.Equal(new long[] { 4, 2 }, back.Graph.Initializers[0].Dims);
        Assert.Equal("N", back.Graph.Inputs[0].Shape![0].Param);
        Assert.Equal(4L, back.Graph.Inputs[0].Shape![1].Value);
        Assert.Equal(OnnxWriter.Serialize(model), OnnxWriter.Serialize(back));
    }
}

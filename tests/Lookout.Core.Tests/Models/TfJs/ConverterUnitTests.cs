using System.Text.Json.Nodes;
using Lookout.Core.Models.TfJs;

namespace Lookout.Core.Tests.Models.TfJs;

/// <summary>Discriminating checks on tiny synthetic TF.js graphs, converted and run in ONNX Runtime.</summary>
public class ConverterUnitTests
{
    [Fact]
    public void SamePadding_Stride2_PutsTheExtraPixelAtTheEnd()
    {
        var g = new SyntheticGraph();
        var x = g.Placeholder("input", 1, 4, 4, 1);
        var w = g.Const("w", Enumerable.Repeat(1f, 9).ToArray(), 3, 3, 1, 1);
        g.Conv("conv", x, w, "SAME", 2);
        var (shape, y) = OrtRunner.Run(g.Load(), "conv", Enumerable.Repeat(1f, 16).ToArray(), [1, 4, 4, 1]);
        Assert.Equal([1, 2, 2, 1], shape);
        Assert.Equal([9f, 6f, 6f, 4f], y); // symmetric padding would give [4,6,6,9]
        Assert.Equal((0, 1), SamePadding.For(4, 3, 2));
        Assert.Equal((1, 2), SamePadding.For(512, 5, 2));
        Assert.Equal((1, 1), SamePadding.For(7, 3, 2)); // odd size: symmetric
    }

    [Fact]
    public void DepthwiseConv_UsesEachChannelsOwnKernel_WithChannelMultiplier()
    {
        const int H = 4, W = 5, C = 2, M = 2, K = 3;
        var rng = new Random(7);
        var input = Enumerable.Range(0, H * W * C).Select(_ => (float)rng.Next(-5, 6)).ToArray();
        var filter = Enumerable.Range(0, K * K * C * M).Select(_ => (float)rng.Next(-3, 4)).ToArray(); // [kh,kw,C,M]
        var g = new SyntheticGraph();
        var x = g.Placeholder("input", 1, H, W, C);
        var f = g.Const("f", filter, K, K, C, M);
        g.Conv("dw", x, f, "SAME", 1, "DepthwiseConv2dNative");
        var (shape, y) = OrtRunner.Run(g.Load(), "dw", input, [1, H, W, C]);
        Assert.Equal([1, H, W, C * M], shape);

        // Reference NHWC depthwise conv, SAME, stride 1: out[y,x,c*M+m] = sum_ij F[i,j,c,m] * in[y+i-1, x+j-1, c].
        for (int oy = 0; oy < H; oy++)
            for (int ox = 0; ox < W; ox++)
                for (int c = 0; c < C; c++)
                    for (int m = 0; m < M; m++)
                    {
                        float sum = 0;
                        for (int i = 0; i < K; i++)
                            for (int j = 0; j < K; j++)
                            {
                                int iy = oy + i - 1, ix = ox + j - 1;
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                sum += filter[((i * K + j) * C + c) * M + m] * input[(iy * W + ix) * C + c];
                            }
                        Assert.Equal(sum, y[(oy * W + ox) * C * M + c * M + m]);
                    }
    }

    [Fact]
    public void LayoutSensitiveReshape_FlattensInTfOrder_NotNchwOrder()
    {
        // One-hot heatmap at (y=0, x=1, class=2) of [1,2,3,4]; after a conv (so it is stored NCHW) a [1,-1] Reshape
        // must put the hot cell at (y*W + x)*C + c = 6, as TF does; NCHW order would put it at c*H*W + y*W + x = 13.
        var g = new SyntheticGraph();
        var x = g.Placeholder("input", 1, 2, 3, 4);
        var identity = new float[16];
        for (int i = 0; i < 4; i++) identity[i * 4 + i] = 1f; // 1x1 conv, [1,1,4,4] identity
        var w = g.Const("w", identity, 1, 1, 4, 4);
        var conv = g.Conv("conv", x, w, "VALID", 1);
        var shape = g.ConstInt("shape", [1, -1], [2]);
        g.Op("flat", "Reshape", [conv, shape], new JsonObject { ["Tshape"] = SyntheticGraph.Type("DT_INT32") });
        var input = new float[24];
        input[(0 * 3 + 1) * 4 + 2] = 1f;
        var (outShape, y) = OrtRunner.Run(g.Load(), "flat", input, [1, 2, 3, 4]);
        Assert.Equal([1, 24], outShape);
        Assert.Equal(6, Array.IndexOf(y, 1f));
        Assert.Equal(1f, y.Sum());
    }

    [Fact]
    public void TfTransposePairs_AroundConvs_CancelAndKeepValues()
    {
        // nanodet style: an NCHW input, Transpose to NHWC for the conv, Transpose back, then a channel-axis concat.
        var g = new SyntheticGraph();
        var x = g.Placeholder("input", 1, 2, 3, 3);
        var toNhwc = g.Op("t1", "Transpose", [x, g.ConstInt("p1", [0, 2, 3, 1], [4])]);
        var conv = g.Conv("conv", toNhwc, g.Const("w", [2f, 0f, 0f, 3f], 1, 1, 2, 2), "VALID", 1);
        var toNchw = g.Op("t2", "Transpose", [conv, g.ConstInt("p2", [0, 3, 1, 2], [4])]);
        g.Op("cat", "ConcatV2", [toNchw, x, g.ConstInt("axis", [1], [])], new JsonObject { ["N"] = SyntheticGraph.I(2) });
        var input = Enumerable.Range(0, 18).Select(i => (float)i).ToArray();
        var (shape, y) = OrtRunner.Run(g.Load(), "cat", input, [1, 2, 3, 3]);
        Assert.Equal([1, 4, 3, 3], shape);
        var expected = input.Take(9).Select(v => v * 2).Concat(input.Skip(9).Select(v => v * 3)).Concat(input).ToArray();
        Assert.Equal(expected, y);
    }

    [Fact]
    public void PerChannelConstants_BroadcastOverChannels_InNchwStorage()
    {
        var g = new SyntheticGraph();
        var x = g.Placeholder("input", 1, 2, 2, 3);
        var conv = g.Conv("conv", x, g.Const("w", [1f, 0, 0, 0, 1f, 0, 0, 0, 1f], 1, 1, 3, 3), "VALID", 1);
        var mul = g.Op("mul", "Mul", [conv, g.Const("scale", [1f, 10f, 100f], 3)]);
        g.Op("add", "Add", [mul, g.Const("shift", [0.5f, 0.25f, 0.125f], 3)]);
        var (_, y) = OrtRunner.Run(g.Load(), "add", Enumerable.Repeat(1f, 12).ToArray(), [1, 2, 2, 3]);
        for (int p = 0; p < 4; p++) Assert.Equal([1.5f, 10.25f, 100.125f], y.Skip(p * 3).Take(3).ToArray());
    }

    [Fact]
    public void FusedConvWithPrelu_AndAddN_ComputePerChannel()
    {
        var g = new SyntheticGraph();
        var x = g.Placeholder("input", 1, 1, 2, 2);
        var w = g.Const("w", [1f, 0f, 0f, 1f], 1, 1, 2, 2);
        var bias = g.Const("b", [0f, -10f], 2);
        var alpha = g.Const("alpha", [0.5f, 0.25f], 2);
        var conv = g.Op("conv", "_FusedConv2D", [x, w, bias, alpha], new JsonObject
        {
            ["padding"] = SyntheticGraph.S("VALID"), ["strides"] = SyntheticGraph.Ints(1, 1, 1, 1),
            ["fused_ops"] = new JsonObject { ["list"] = new JsonObject { ["s"] = new JsonArray(SyntheticGraph.S("BiasAdd")["s"]!.GetValue<string>(), SyntheticGraph.S("Prelu")["s"]!.GetValue<string>()) } },
            ["num_args"] = SyntheticGraph.I(3),
        });
        g.Op("sum", "AddN", [conv, conv, x]);
        // pixel0 = (-2, 4) -> conv+bias (-2, -6) -> prelu (-1, -1.5); pixel1 = (2, 12) -> (2, 2) -> (2, 2)
        var (_, y) = OrtRunner.Run(g.Load(), "sum", [-2f, 4f, 2f, 12f], [1, 1, 2, 2]);
        Assert.Equal([-2f - 2f, -3f + 4f, 4f + 2f, 4f + 12f], y);
    }

    [Fact]
    public void UnsupportedOp_FailsNamingOpAndNode()
    {
        var g = new SyntheticGraph();
        var x = g.Placeholder("input", 1, 2, 2, 3);
        g.Op("block/erf", "Erf", [x]);
        var e = Assert.Throws<TfJsFormatException>(() =>
            TfJsConverter.Convert(g.Load(), new TfJsConversionOptions { Outputs = [new TfJsOutput("block/erf", "y")] }));
        Assert.Contains("'Erf'", e.Message);
        Assert.Contains("'block/erf'", e.Message);
    }

    [Fact]
    public void EmbeddingCut_DropsTheHead_AndAveragesSpatially()
    {
        var g = new SyntheticGraph();
        var x = g.Placeholder("input", 1, 2, 2, 3);
        var feat = g.Op("feat", "Relu", [x]);
        g.Op("head", "Erf", [feat]); // unsupported, but not needed by the cut
        var onnx = TfJsConverter.Convert(g.Load(), new TfJsConversionOptions
        {
            Outputs = [TfJsOutput.Embedding("feat")],
            Preprocess = new Lookout.Core.Imaging.PreprocessSpec { Width = 2, Height = 2, Mean = [0, 0, 0], Std = [1, 1, 1] },
        });
        Assert.DoesNotContain(onnx.Graph.Nodes, n => n.OpType == "Erf");
        Assert.Equal("image", onnx.Graph.Inputs.Single().Name);
        Assert.Equal("embedding", onnx.Graph.Outputs.Single().Name);
    }
}

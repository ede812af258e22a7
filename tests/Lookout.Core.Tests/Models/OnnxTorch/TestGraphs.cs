using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Tests.Models.OnnxTorch;

/// <summary>Small generated backbones covering the ops the executor supports; weights seeded.</summary>
internal static class TestGraphs
{
    public static readonly PreprocessSpec Spec = new() { Width = 20, Height = 20, Mean = [120f, 110f, 100f], Std = [60f, 58f, 62f] };

    private static string W(OnnxGraphBuilder b, Random r, string hint, params long[] dims)
    {
        long n = dims.Aggregate(1L, (p, d) => p * d);
        long fanIn = dims.Length > 1 ? n / dims[0] : n;
        float scale = (float)Math.Sqrt(2.0 / fanIn);
        var v = Enumerable.Range(0, (int)n).Select(_ => (float)(r.NextDouble() * 2 - 1) * scale).ToArray();
        return b.Floats(hint, v, dims);
    }

    private static string Bias(OnnxGraphBuilder b, Random r, string hint, long n) =>
        b.Floats(hint, Enumerable.Range(0, (int)n).Select(_ => (float)(r.NextDouble() * 0.2 - 0.1)).ToArray(), n);

    private static OnnxModel Finish(OnnxGraphBuilder b, string pooledFeature, long dim)
    {
        var pooled = b.Node("GlobalAveragePool", [pooledFeature]);
        b.NodeNamed("Flatten", [pooled], ["embedding"], OnnxAttribute.Of("axis", 1L));
        b.Output("embedding", OnnxDataType.Float, "N", dim);
        return new OnnxModel { Graph = b.Graph };
    }

    /// <summary>MobileNet-like: asymmetric-pad stride-2 conv, depthwise SAME conv, Clip/HardSwish, pools, resize, concat.</summary>
    public static OnnxModel MobileLike(int seed = 1)
    {
        var r = new Random(seed);
        var b = new OnnxGraphBuilder();
        var x = ImageInputPrologue.Append(b, Spec);
        x = b.Node("Conv", [x, W(b, r, "c1_w", 8, 3, 3, 3), Bias(b, r, "c1_b", 8)],
            OnnxAttribute.Of("strides", 2L, 2L), OnnxAttribute.Of("pads", 0L, 0L, 1L, 1L), OnnxAttribute.Of("kernel_shape", 3L, 3L));
        x = b.Node("Relu", [x]);                                                                   // 10x10
        var dw = b.Node("Conv", [x, W(b, r, "dw_w", 8, 1, 3, 3), Bias(b, r, "dw_b", 8)],
            OnnxAttribute.Of("group", 8L), OnnxAttribute.Of("auto_pad", "SAME_UPPER"), OnnxAttribute.Of("strides", 2L, 2L));
        dw = b.Node("Clip", [dw, b.Floats("zero", [0f], []), b.Floats("six", [6f], [])]);         // 5x5
        var pw = b.Node("Conv", [dw, W(b, r, "pw_w", 12, 8, 1, 1), Bias(b, r, "pw_b", 12)]);
        var bnScale = b.Floats("bn_scale", Enumerable.Range(0, 12).Select(i => 0.8f + i * 0.03f).ToArray(), 12, 1, 1);
        pw = b.Node("Mul", [pw, bnScale]);
        pw = b.Node("HardSwish", [pw]);
        var mp = b.Node("MaxPool", [x], OnnxAttribute.Of("kernel_shape", 3L, 3L), OnnxAttribute.Of("strides", 2L, 2L),
            OnnxAttribute.Of("pads", 0L, 0L, 1L, 1L));                                                // 8x5x5
        var ap = b.Node("AveragePool", [mp], OnnxAttribute.Of("kernel_shape", 3L, 3L), OnnxAttribute.Of("strides", 1L, 1L),
            OnnxAttribute.Of("pads", 1L, 1L, 1L, 1L));                                                // count_include_pad 0
        var cat = b.Node("Concat", [pw, ap], OnnxAttribute.Of("axis", 1L));                           // 20x5x5
        var up = b.Node("Resize", [cat, "", b.Floats("scales", [1f, 1f, 2f, 2f], 4)],
            OnnxAttribute.Of("mode", "linear"), OnnxAttribute.Of("coordinate_transformation_mode", "half_pixel")); // 10x10
        var last = b.Node("Conv", [up, W(b, r, "c3_w", 16, 20, 3, 3), Bias(b, r, "c3_b", 16)],
            OnnxAttribute.Of("pads", 1L, 1L, 1L, 1L));
        last = b.Node("LeakyRelu", [last], OnnxAttribute.Of("alpha", 0.1f));
        return Finish(b, last, 16);
    }

    /// <summary>
    /// ResNet-like, as the imported ImageNet ResNet-18 is built: 7x7 stride-2 conv with asymmetric pads (3,3,2,2),
    /// BatchNormalization (inference form, non-trivial statistics), MaxPool with pads (1,1,0,0), a basic block with an
    /// identity Add and a downsampling block (1x1 stride-2 projection), then global average pooling.
    /// </summary>
    public static OnnxModel ResNetLike(int seed = 6)
    {
        var r = new Random(seed);
        var b = new OnnxGraphBuilder();
        var x = ImageInputPrologue.Append(b, Spec);
        string Bn(string input, string hint, int c)
        {
            float[] Vals(double lo, double hi) => Enumerable.Range(0, c).Select(_ => (float)(lo + r.NextDouble() * (hi - lo))).ToArray();
            return b.Node("BatchNormalization", [input, b.Floats(hint + "_scale", Vals(0.5, 1.5), c), b.Floats(hint + "_bias", Vals(-0.2, 0.2), c),
                b.Floats(hint + "_mean", Vals(-0.3, 0.3), c), b.Floats(hint + "_var", Vals(0.5, 2.0), c)], OnnxAttribute.Of("epsilon", 1e-5f));
        }
        string Conv(string input, string hint, int outC, int inC, int k, long stride, long[] pads) =>
            b.Node("Conv", [input, W(b, r, hint, outC, inC, k, k)], OnnxAttribute.Of("kernel_shape", (long)k, k),
                OnnxAttribute.Of("strides", stride, stride), OnnxAttribute.Of("pads", pads));
        long[] same = [1, 1, 1, 1];
        x = b.Node("Relu", [Bn(Conv(x, "stem_w", 8, 3, 7, 2, [3, 3, 2, 2]), "stem_bn", 8)]);              // 10x10
        x = b.Node("MaxPool", [x], OnnxAttribute.Of("kernel_shape", 3L, 3L), OnnxAttribute.Of("strides", 2L, 2L),
            OnnxAttribute.Of("pads", 1L, 1L, 0L, 0L));                                                       // 5x5
        var y = b.Node("Relu", [Bn(Conv(x, "b1c1_w", 8, 8, 3, 1, same), "b1bn1", 8)]);
        y = Bn(Conv(y, "b1c2_w", 8, 8, 3, 1, same), "b1bn2", 8);
        x = b.Node("Relu", [b.Node("Add", [y, x])]);
        var down = Bn(Conv(x, "b2proj_w", 12, 8, 1, 2, [0, 0, 0, 0]), "b2bnp", 12);                          // 3x3
        y = b.Node("Relu", [Bn(Conv(x, "b2c1_w", 12, 8, 3, 2, same), "b2bn1", 12)]);
        y = Bn(Conv(y, "b2c2_w", 12, 12, 3, 1, same), "b2bn2", 12);
        x = b.Node("Relu", [b.Node("Add", [y, down])]);
        return Finish(b, x, 12);
    }

    /// <summary>Resize in every supported coordinate mode, SAME_LOWER, pooled-then-dense head (ReduceMean, Gemm, MatMul).</summary>
    public static OnnxModel ResizeAndDense(int seed = 2)
    {
        var r = new Random(seed);
        var b = new OnnxGraphBuilder();
        var x = ImageInputPrologue.Append(b, Spec with { Width = 14, Height = 14 });
        x = b.Node("Conv", [x, W(b, r, "c1_w", 6, 3, 3, 3)], OnnxAttribute.Of("auto_pad", "SAME_LOWER"), OnnxAttribute.Of("strides", 2L, 2L)); // 7x7
        x = b.Node("Sigmoid", [x]);
        // Batch size is dynamic, so sizes = Shape(x)[0:2] ++ [10, 10] (7 -> 10: a non-integer scale).
        var nc = b.Node("Slice", [b.Node("Shape", [x]), b.Int64s("s0", [0], 1), b.Int64s("s2", [2], 1)]);
        var sizes = b.Node("Concat", [nc, b.Int64s("hw", [10, 10], 2)], OnnxAttribute.Of("axis", 0L));
        var a = b.Node("Resize", [x, "", "", sizes], OnnxAttribute.Of("mode", "linear"), OnnxAttribute.Of("coordinate_transformation_mode", "asymmetric"));
        var c = b.Node("Resize", [x, "", "", sizes], OnnxAttribute.Of("mode", "linear"), OnnxAttribute.Of("coordinate_transformation_mode", "align_corners"));
        var d = b.Node("Resize", [x, "", "", sizes], OnnxAttribute.Of("mode", "nearest"), OnnxAttribute.Of("coordinate_transformation_mode", "half_pixel"));
        var e = b.Node("Resize", [x, "", "", sizes], OnnxAttribute.Of("mode", "linear"), OnnxAttribute.Of("coordinate_transformation_mode", "pytorch_half_pixel"));
        var f = b.Node("Resize", [x, "", "", sizes], OnnxAttribute.Of("mode", "nearest"), OnnxAttribute.Of("coordinate_transformation_mode", "asymmetric"),
            OnnxAttribute.Of("nearest_mode", "floor"));
        var cat = b.Node("Concat", [a, c, d, e, f], OnnxAttribute.Of("axis", 1L));                 // 30x10x10
        var conv = b.Node("Conv", [cat, W(b, r, "c2_w", 8, 30, 3, 3), Bias(b, r, "c2_b", 8)], OnnxAttribute.Of("strides", 2L, 2L)); // 4x4 VALID
        conv = b.Node("HardSigmoid", [conv], OnnxAttribute.Of("alpha", 0.3f), OnnxAttribute.Of("beta", 0.4f));
        var mean = b.Node("ReduceMean", [conv], OnnxAttribute.Of("axes", 2L, 3L), OnnxAttribute.Of("keepdims", 0L)); // [N,8]
        var g = b.Node("Gemm", [mean, W(b, r, "fc_w", 10, 8), Bias(b, r, "fc_b", 10)],
            OnnxAttribute.Of("transB", 1L), OnnxAttribute.Of("alpha", 0.7f), OnnxAttribute.Of("beta", 1.5f));
        g = b.Node("Relu", [g]);
        var m = b.Node("MatMul", [g, W(b, r, "mm_w", 10, 6)]);
        b.NodeNamed("Softmax", [m], ["embedding"], OnnxAttribute.Of("axis", -1L));
        b.Output("embedding", OnnxDataType.Float, "N", 6);
        return new OnnxModel { Graph = b.Graph };
    }

    /// <summary>Layout ops: Transpose, Reshape, Slice, Split, Gather, Unsqueeze, Squeeze, Pad, Min/Max, Sub, Div, Identity.</summary>
    public static OnnxModel Shapes(int seed = 3)
    {
        var r = new Random(seed);
        var b = new OnnxGraphBuilder();
        var x = ImageInputPrologue.Append(b, Spec with { Width = 12, Height = 12 });
        x = b.Node("Conv", [x, W(b, r, "c1_w", 8, 3, 3, 3), Bias(b, r, "c1_b", 8)], OnnxAttribute.Of("pads", 1L, 1L, 1L, 1L)); // 8x12x12
        var padded = b.Node("Pad", [x, b.Int64s("pads", [0, 0, 1, 0, 0, 0, 0, 2], 8), b.Floats("pad_v", [-0.5f], [])]); // 8x13x14
        var sl = b.Node("Slice", [padded, b.Int64s("st", [1, 0], 2), b.Int64s("en", [13, 100], 2), b.Int64s("ax", [2, 3], 2), b.Int64s("sp", [1, 2], 2)]); // 8x12x7
        var parts = b.Node("Split", [sl, b.Int64s("split", [3, 5], 2)], 2, OnnxAttribute.Of("axis", 1L));
        var mx = b.Node("Max", [parts[0], b.Floats("lo", [-0.2f], [])]);
        var gathered = b.Node("Gather", [parts[1], b.Int64s("gidx", [4, 0, -1], 3)], OnnxAttribute.Of("axis", 1L)); // 3 channels
        var mn = b.Node("Min", [mx, gathered, b.Floats("hi", [2.5f], [])]);
        var sub = b.Node("Sub", [mn, b.Floats("sub_c", [0.1f, 0.2f, 0.3f], 3, 1, 1)]);
        var div = b.Node("Div", [sub, b.Floats("div_c", [2f], [])]);
        var tr = b.Node("Transpose", [div], OnnxAttribute.Of("perm", 0L, 2L, 3L, 1L));             // N,12,7,3
        var rs = b.Node("Reshape", [tr, b.Int64s("shape", [0, -1, 3], 3)]);                     // N,84,3
        var us = b.Node("Unsqueeze", [rs, b.Int64s("uax", [1], 1)]);                            // N,1,84,3
        var tr2 = b.Node("Transpose", [us], OnnxAttribute.Of("perm", 0L, 3L, 1L, 2L));          // N,3,1,84
        var id = b.Node("Identity", [tr2]);
        var conv = b.Node("Conv", [id, W(b, r, "c2_w", 5, 3, 1, 3), Bias(b, r, "c2_b", 5)], OnnxAttribute.Of("pads", 0L, 1L, 0L, 1L)); // N,5,1,84
        var sq = b.Node("Squeeze", [conv, b.Int64s("sax", [2], 1)]);                            // N,5,84
        var mean = b.Node("ReduceMean", [sq], OnnxAttribute.Of("axes", new long[] { -1 }), OnnxAttribute.Of("keepdims", 0L));
        b.NodeNamed("Identity", [mean], ["embedding"]);
        b.Output("embedding", OnnxDataType.Float, "N", 5);
        return new OnnxModel { Graph = b.Graph };
    }

    /// <summary>Less common forms: reflect/edge Pad, negative-step Slice, ceil_mode MaxPool, count_include_pad, BatchNormalization, Constant, Clip with one bound.</summary>
    public static OnnxModel Extras(int seed = 4)
    {
        var r = new Random(seed);
        var b = new OnnxGraphBuilder();
        var x = ImageInputPrologue.Append(b, Spec with { Width = 11, Height = 11 });
        x = b.Node("Conv", [x, W(b, r, "c1_w", 6, 3, 3, 3), Bias(b, r, "c1_b", 6)]);                        // 6x9x9
        var bn = b.Node("BatchNormalization", [x, b.Floats("bn_g", [1.1f, 0.9f, 1f, 1.2f, 0.8f, 1f], 6), Bias(b, r, "bn_b", 6),
            Bias(b, r, "bn_m", 6), b.Floats("bn_v", [0.5f, 1f, 2f, 0.7f, 1.3f, 0.9f], 6)], OnnxAttribute.Of("epsilon", 1e-3f));
        var refl = b.Node("Pad", [bn, b.Int64s("p1", [0, 0, 1, 2, 0, 0, 2, 1], 8)], OnnxAttribute.Of("mode", "reflect")); // 6x12x12
        var edge = b.Node("Pad", [refl, b.Int64s("p2", [0, 0, 0, 1, 0, 0, 1, 0], 8)], OnnxAttribute.Of("mode", "edge"));   // 6x13x13
        var rev = b.Node("Slice", [edge, b.Int64s("rs", [-1], 1), b.Int64s("re", [-100], 1), b.Int64s("ra", [3], 1), b.Int64s("rp", [-2], 1)]); // 6x13x7
        var mp = b.Node("MaxPool", [rev], OnnxAttribute.Of("kernel_shape", 2L, 2L), OnnxAttribute.Of("strides", 2L, 2L), OnnxAttribute.Of("ceil_mode", 1L)); // 6x7x4
        var ap = b.Node("AveragePool", [mp], OnnxAttribute.Of("kernel_shape", 3L, 3L), OnnxAttribute.Of("pads", 1L, 0L, 1L, 1L),
            OnnxAttribute.Of("count_include_pad", 1L));                                                    // 6x7x3
        var k = b.Node("Constant", [], OnnxAttribute.Of("value", OnnxTensor.FromFloats("k", [0.5f], [])));
        var t = b.Node("Tanh", [b.Node("Mul", [ap, k])]);
        var clipped = b.Node("Clip", [t, b.Floats("lo", [-0.3f], [])]);
        var sm = b.Node("Softmax", [clipped], OnnxAttribute.Of("axis", 1L));
        return Finish(b, sm, 6);
    }

    /// <summary>Opset 10 attribute forms: Clip min/max attrs, Pad attrs, Unsqueeze/Squeeze/Split attrs, Resize (scales only), 2-D Softmax.</summary>
    public static OnnxModel Legacy(int seed = 5)
    {
        var r = new Random(seed);
        var b = new OnnxGraphBuilder();
        var x = ImageInputPrologue.Append(b, Spec with { Width = 8, Height = 8 });
        x = b.Node("Conv", [x, W(b, r, "c1_w", 4, 3, 3, 3), Bias(b, r, "c1_b", 4)], OnnxAttribute.Of("pads", 1L, 1L, 1L, 1L));
        x = b.Node("Clip", [x], OnnxAttribute.Of("min", -0.5f), OnnxAttribute.Of("max", 1.5f));
        x = b.Node("Pad", [x], OnnxAttribute.Of("pads", 0L, 0L, 1L, 0L, 0L, 0L, 0L, 1L), OnnxAttribute.Of("value", 0.25f)); // 4x9x9
        x = b.Node("Resize", [x, b.Floats("sc", [1f, 1f, 1.5f, 1.5f], 4)], OnnxAttribute.Of("mode", "nearest"));            // 4x13x13
        var parts = b.Node("Split", [x], 2, OnnxAttribute.Of("axis", 1L), OnnxAttribute.Of("split", 1L, 3L));
        var g = b.Node("GlobalAveragePool", [parts[1]]);                                                               // N,3,1,1
        var sq = b.Node("Squeeze", [g], OnnxAttribute.Of("axes", 2L, 3L));                                             // N,3
        var us = b.Node("Unsqueeze", [sq], OnnxAttribute.Of("axes", new long[] { 1 }));                                // N,1,3
        var sm = b.Node("Softmax", [us], OnnxAttribute.Of("axis", 1L));                                                // over 1x3 flattened
        b.NodeNamed("Flatten", [sm], ["embedding"], OnnxAttribute.Of("axis", 1L));
        b.Output("embedding", OnnxDataType.Float, "N", 3);
        var model = new OnnxModel { Graph = b.Graph };
        model.Opsets.Clear();
        model.Opsets.Add(new OnnxOpset("", 10));
        return model;
    }

    public static byte[] RandomPixels(int n, int h, int w, int seed)
    {
        var r = new Random(seed);
        var px = new byte[n * h * w * 3];
        r.NextBytes(px);
        return px;
    }
}

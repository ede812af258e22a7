using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Training.FineTuning;

namespace Lookout.Core.Tests.Training.FineTuning;

/// <summary>A tiny conv backbone and a colour-blob task: class 0 = red blob, class 1 = blue blob, on grey noise.</summary>
internal static class TinyTask
{
    public static OnnxModel Backbone(int size = 16, int seed = 5)
    {
        var r = new Random(seed);
        string W(OnnxGraphBuilder b, string hint, params long[] dims)
        {
            long n = dims.Aggregate(1L, (p, d) => p * d);
            float scale = (float)Math.Sqrt(2.0 / (n / dims[0]));
            return b.Floats(hint, Enumerable.Range(0, (int)n).Select(_ => (float)(r.NextDouble() * 2 - 1) * scale).ToArray(), dims);
        }
        var b = new OnnxGraphBuilder();
        var spec = new PreprocessSpec { Width = size, Height = size, Mean = [128, 128, 128], Std = [64, 64, 64] };
        var x = ImageInputPrologue.Append(b, spec);
        x = b.Node("Conv", [x, W(b, "c1_w", 8, 3, 3, 3), b.Floats("c1_b", new float[8], 8)], OnnxAttribute.Of("pads", 1L, 1L, 1L, 1L));
        x = b.Node("Relu", [x]);
        x = b.Node("Conv", [x, W(b, "c2_w", 12, 8, 3, 3), b.Floats("c2_b", new float[12], 12)], OnnxAttribute.Of("pads", 1L, 1L, 1L, 1L));
        x = b.Node("Relu", [x]);
        var pooled = b.Node("GlobalAveragePool", [x]);
        b.NodeNamed("Flatten", [pooled], ["embedding"], OnnxAttribute.Of("axis", 1L));
        b.Output("embedding", OnnxDataType.Float, "N", 12);
        var model = new OnnxModel { Graph = b.Graph };
        model.Metadata["lookout.preprocess"] = spec.ToJson();
        return model;
    }

    /// <summary>An image with a coloured blob (radius ~size/6) centred at (cx, cy) on grey noise.</summary>
    public static RgbImage Blob(int size, int cx, int cy, bool red, Random r)
    {
        var px = new byte[size * size * 3];
        int radius = Math.Max(2, size / 6);
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            int i = (y * size + x) * 3;
            byte g = (byte)(110 + r.Next(40));
            px[i] = g; px[i + 1] = g; px[i + 2] = g;
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius)
            {
                px[i] = red ? (byte)230 : (byte)30; px[i + 1] = 40; px[i + 2] = red ? (byte)30 : (byte)230;
            }
        }
        return new RgbImage(size, size, px);
    }

    public static InMemoryFineTuneData Data(int count, int size, int seed)
    {
        var r = new Random(seed);
        var images = new List<RgbImage>(); var labels = new List<int>();
        for (int i = 0; i < count; i++)
        {
            int label = i % 2;
            images.Add(Blob(size, r.Next(3, size - 3), r.Next(3, size - 3), label == 0, r));
            labels.Add(label);
        }
        return new InMemoryFineTuneData(images, labels);
    }
}

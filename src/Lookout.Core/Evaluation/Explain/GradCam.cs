using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Training.FineTuning;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Lookout.Core.Models.OnnxTorch;

namespace Lookout.Core.Evaluation.Explain;

/// <summary>A Grad-CAM heatmap at the image's size, values 0..1 (row-major, Height x Width).</summary>
public sealed record GradCamMap(int Width, int Height, float[] Values, string TargetLayer, int ClassIndex, float Score)
{
    public float At(int x, int y) => Values[y * Width + x];

    /// <summary>The hottest pixel (first one on ties).</summary>
    public (int X, int Y) Peak()
    {
        int best = 0;
        for (int i = 1; i < Values.Length; i++) if (Values[i] > Values[best]) best = i;
        return (best % Width, best / Width);
    }
}

/// <summary>
/// Grad-CAM (Selvaraju et al.): weights each channel of a feature map by the spatial mean of the class score's
/// gradient, sums, applies ReLU, normalises to 0..1 and upsamples (bilinear) to the input image. Runs the ONNX
/// graph itself through <see cref="OnnxTorchModule"/>, so it explains exactly the exported model.
/// </summary>
public static class GradCam
{
    /// <summary>
    /// Explains an exported classifier (or any graph whose first output is class scores). When that output comes
    /// from a Softmax, the Softmax's input (the logits) is differentiated, as Grad-CAM prescribes.
    /// </summary>
    public static GradCamMap Compute(OnnxModel classifier, RgbImage image, int classIndex, string? targetLayer = null)
    {
        var output = classifier.Graph.Outputs.FirstOrDefault()?.Name ?? throw new LookoutException("The model has no outputs.");
        var producer = classifier.Graph.Nodes.LastOrDefault(n => n.Outputs.Contains(output));
        var scoreName = producer is { OpType: "Softmax" } ? producer.Inputs[0] : output;
        using var module = new OnnxTorchModule(classifier);
        return Run(module, image, classIndex, targetLayer ?? DefaultTargetLayer(classifier.Graph), scoreName, logits => logits);
    }

    /// <summary>Explains a backbone plus a linear head on its embedding output.</summary>
    public static GradCamMap Compute(OnnxModel backbone, LinearHead head, RgbImage image, int classIndex, string? targetLayer = null,
        string embeddingOutput = "embedding")
    {
        head.Check();
        using var module = new OnnxTorchModule(backbone, outputName: embeddingOutput);
        using var w = torch.tensor(head.Weight).reshape(head.Classes, head.Dim);
        using var b = torch.tensor(head.Bias);
        return Run(module, image, classIndex, targetLayer ?? DefaultTargetLayer(backbone.Graph), embeddingOutput, e => F.linear(e, w, b));
    }

    /// <summary>
    /// The feature map that feeds the last global pooling (GlobalAveragePool / ReduceMean), i.e. the last conv block's
    /// activated output; without such a pooling, the last Conv's output.
    /// </summary>
    public static string DefaultTargetLayer(OnnxGraph graph)
    {
        var order = GraphOrder.Topological(graph, graph.Inputs.FirstOrDefault()?.Name ?? "");
        var pool = order.LastOrDefault(n => n.OpType is "GlobalAveragePool" or "ReduceMean");
        if (pool is not null) return pool.Inputs[0];
        return order.LastOrDefault(n => n.OpType == "Conv")?.Outputs[0]
            ?? throw new LookoutException("Grad-CAM needs a convolutional feature map, and this graph has neither a global pooling nor a Conv.");
    }

    private static GradCamMap Run(OnnxTorchModule module, RgbImage image, int classIndex, string target, string scoreName,
        Func<Tensor, Tensor> toLogits)
    {
        if (image.Pixels.Length != image.ByteCount) throw new LookoutException("The image's pixel buffer does not match its size.");
        using var scope = torch.NewDisposeScope();
        Tensor? leaf = null;
        var input = torch.tensor(image.Pixels, dtype: ScalarType.Byte).reshape(1, image.Height, image.Width, 3);
        // The target is requested as an output too, so the executor keeps it alive for autograd.grad.
        var outputs = module.Run(input, [scoreName, target], (name, t) =>
        {
            if (name != target) return t;
            // Cut the graph here: the feature map becomes a leaf whose gradient we read.
            leaf = t.detach().requires_grad_(true);
            return leaf;
        });
        if (leaf is null) throw new LookoutException($"Grad-CAM target layer '{target}' is not computed before the class scores.");
        if (leaf.dim() != 4) throw new LookoutException($"Grad-CAM target layer '{target}' is not a [1,C,H,W] feature map (rank {leaf.dim()}).");
        var logits = toLogits(outputs[scoreName]);
        if (logits.dim() != 2 || classIndex < 0 || classIndex >= logits.shape[1])
            throw new LookoutException($"Class index {classIndex} is out of range for scores of shape [{string.Join(",", logits.shape)}].");
        var score = logits[0, classIndex];
        var grad = torch.autograd.grad([score], [leaf])[0];
        using var noGrad = torch.no_grad();
        var weights = grad.mean([2, 3], keepdim: true);                    // [1,C,1,1]
        var cam = F.relu((weights * leaf).sum(1, keepdim: true));          // [1,1,h,w]
        var max = cam.max().item<float>();
        if (max > 0) cam = cam / max;
        var (h, w) = ((int)cam.shape[2], (int)cam.shape[3]);
        var small = cam.reshape(h * w).data<float>().ToArray();
        return new GradCamMap(image.Width, image.Height, Upsample(small, w, h, image.Width, image.Height), target, classIndex, score.item<float>());
    }

    /// <summary>Bilinear, pixel-centre aligned (half-pixel), edges clamped.</summary>
    internal static float[] Upsample(float[] src, int sw, int sh, int dw, int dh)
    {
        var dst = new float[dw * dh];
        for (int y = 0; y < dh; y++)
        {
            float sy = Math.Clamp((y + 0.5f) * sh / dh - 0.5f, 0, sh - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, sh - 1); float fy = sy - y0;
            for (int x = 0; x < dw; x++)
            {
                float sx = Math.Clamp((x + 0.5f) * sw / dw - 0.5f, 0, sw - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, sw - 1); float fx = sx - x0;
                float top = src[y0 * sw + x0] + (src[y0 * sw + x1] - src[y0 * sw + x0]) * fx;
                float bottom = src[y1 * sw + x0] + (src[y1 * sw + x1] - src[y1 * sw + x0]) * fx;
                dst[y * dw + x] = top + (bottom - top) * fy;
            }
        }
        return dst;
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lookout.Core.Training;

/// <summary>Builds the torch head module and converts between it and <see cref="HeadWeights"/>.</summary>
internal static class TorchHead
{
    public static Sequential Build(int inputDim, int hidden, int classes, double dropout)
    {
        if (hidden <= 0) return nn.Sequential(("fc", nn.Linear(inputDim, classes)));
        return nn.Sequential(
            ("fc1", nn.Linear(inputDim, hidden)),
            ("relu", nn.ReLU()),
            ("drop", nn.Dropout(dropout)),
            ("fc2", nn.Linear(hidden, classes)));
    }

    public static IReadOnlyList<DenseLayer> ExtractLayers(Sequential head) =>
        head.children().OfType<Linear>().Select(l =>
        {
            using var w = l.weight!.detach().cpu().to_type(ScalarType.Float32).contiguous();
            using var b = l.bias!.detach().cpu().to_type(ScalarType.Float32).contiguous();
            return new DenseLayer((int)w.shape[1], (int)w.shape[0], w.data<float>().ToArray(), b.data<float>().ToArray());
        }).ToList();

    /// <summary>Softmax probabilities of <paramref name="weights"/> on raw embeddings, computed by torch (the reference the exported ONNX is checked against).</summary>
    public static float[][] Probabilities(HeadWeights weights, float[][] embeddings)
    {
        using var scope = NewDisposeScope();
        var layers = weights.Layers;
        using var head = Build(weights.InputDim, layers.Count > 1 ? layers[0].Out : 0, weights.Labels.Count, 0);
        using (no_grad())
        {
            var linears = head.children().OfType<Linear>().ToList();
            for (int i = 0; i < linears.Count; i++)
            {
                linears[i].weight!.copy_(tensor(layers[i].Weight).reshape(layers[i].Out, layers[i].In));
                linears[i].bias!.copy_(tensor(layers[i].Bias));
            }
        }
        head.eval();
        var x = Standardise(ToTensor(embeddings, weights.InputDim), weights.Mean, weights.Std);
        using var _ = no_grad();
        var probs = nn.functional.softmax(head.call(x), 1).contiguous().data<float>().ToArray();
        int c = weights.Labels.Count;
        return Enumerable.Range(0, embeddings.Length).Select(r => probs.AsSpan(r * c, c).ToArray()).ToArray();
    }

    public static Tensor ToTensor(float[][] rows, int dim)
    {
        var flat = new float[rows.Length * dim];
        for (int r = 0; r < rows.Length; r++) rows[r].CopyTo(flat, r * dim);
        return tensor(flat).reshape(rows.Length, dim);
    }

    public static Tensor Standardise(Tensor x, float[] mean, float[] std) =>
        (x - tensor(mean).to(x.device)) / tensor(std).to(x.device);
}

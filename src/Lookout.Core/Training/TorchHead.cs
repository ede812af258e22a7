using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Lookout.Core.Models.Heads;

namespace Lookout.Core.Training;

/// <summary>
/// The torch head: Linear, or Linear-ReLU-Dropout-Linear. All randomness (initial weights, dropout masks) comes from
/// the seed given here, never from torch's global generator, so concurrent trainings cannot disturb each other's
/// determinism.
/// </summary>
internal sealed class HeadModule : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear? fc2;
    private readonly double _dropout;
    private readonly Generator _generator;

    public HeadModule(int inputDim, int hidden, int classes, double dropout, long seed) : base("head")
    {
        fc1 = nn.Linear(inputDim, hidden > 0 ? hidden : classes);
        fc2 = hidden > 0 ? nn.Linear(hidden, classes) : null;
        _dropout = dropout;
        _generator = new Generator((ulong)seed);
        RegisterComponents();
        var rng = new Random(unchecked((int)seed));
        using var _ = no_grad();
        foreach (var l in Linears) InitLikeTorch(l, rng);
    }

    public IEnumerable<Linear> Linears => fc2 is null ? [fc1] : [fc1, fc2];

    public override Tensor forward(Tensor x)
    {
        var h = fc1.call(x);
        if (fc2 is null) return h;
        h = nn.functional.relu(h);
        if (training && _dropout > 0)
        {
            using var keep = rand(h.shape, generator: _generator).to(h.device).ge(_dropout);
            h = h * keep / (1 - _dropout);
        }
        return fc2.call(h);
    }

    /// <summary>torch.nn.Linear's default init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from a seeded C# generator.</summary>
    private static void InitLikeTorch(Linear l, Random rng)
    {
        double bound = 1 / Math.Sqrt(l.weight!.shape[1]);
        float Draw() => (float)((rng.NextDouble() * 2 - 1) * bound);
        var w = new float[l.weight.numel()];
        for (int i = 0; i < w.Length; i++) w[i] = Draw();
        var b = new float[l.bias!.numel()];
        for (int i = 0; i < b.Length; i++) b[i] = Draw();
        l.weight.copy_(tensor(w).reshape(l.weight.shape));
        l.bias.copy_(tensor(b));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _generator.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>Converts between the torch head and <see cref="HeadWeights"/>, and runs weights through torch.</summary>
internal static class TorchHead
{
    public static IReadOnlyList<DenseLayer> ExtractLayers(HeadModule head) =>
        head.Linears.Select(l =>
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
        using var head = new HeadModule(weights.InputDim, layers.Count > 1 ? layers[0].Out : 0, weights.Labels.Count, 0, 0);
        using (no_grad())
        {
            var linears = head.Linears.ToList();
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

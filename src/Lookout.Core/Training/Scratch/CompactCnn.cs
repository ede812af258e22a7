using Lookout.Core.Models.Heads;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Lookout.Core.Training.Scratch;

/// <summary>
/// A compact CNN for small images at their native resolution: three stages of [3x3 conv (no bias) + BatchNorm + ReLU]
/// x <see cref="CompactCnnOptions.ConvsPerStage"/>, 2x2 max-pool after the first two stages, global average pooling
/// to the embedding, dropout, and a linear classifier. Initial weights (He normal) come from a seeded C# generator and
/// dropout masks from the module's own torch generator, so runs are reproducible and never disturb each other.
/// <see cref="ExportTrunk"/> writes the part up to the embedding as a Lookout backbone ONNX (uint8 NHWC in,
/// normalisation in-graph), so export, "unknown" calibration and serving are those of every other backbone.
/// </summary>
public sealed class CompactCnn : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Conv2d> _convs = new();
    private readonly ModuleList<BatchNorm2d> _norms = new();
    private readonly Linear _fc;
    private readonly double _dropout;
    private readonly int _perStage;
    private readonly Generator _generator;

    public CompactCnn(int classes, CompactCnnOptions options) : base("compact_cnn")
    {
        Options = options.Validate();
        _perStage = options.ConvsPerStage;
        _dropout = options.Dropout;
        int inC = 3;
        foreach (var width in options.Widths)
            for (int k = 0; k < _perStage; k++)
            {
                _convs.Add(nn.Conv2d(inC, width, 3, padding: 1, bias: false));
                _norms.Add(nn.BatchNorm2d(width));
                inC = width;
            }
        EmbeddingDim = inC;
        _fc = nn.Linear(inC, classes);
        _generator = new Generator((ulong)options.Seed);
        RegisterComponents();
        Initialise(new Random(options.Seed));
    }

    /// <summary>The architecture and recipe this network was built from.</summary>
    public CompactCnnOptions Options { get; }
    public int EmbeddingDim { get; }
    public int Classes => (int)_fc.weight!.shape[0];

    /// <summary>Logits for a normalised float NCHW batch.</summary>
    public override Tensor forward(Tensor x)
    {
        using var e = Embed(x);
        if (training && _dropout > 0)
        {
            using var keep = rand(e.shape, generator: _generator).ge(_dropout);
            using var dropped = e * keep / (1 - _dropout);
            return _fc.call(dropped);
        }
        return _fc.call(e);
    }

    /// <summary>The embedding: globally pooled features of the last stage.</summary>
    public Tensor Embed(Tensor x)
    {
        var h = x.alias();
        for (int i = 0; i < _convs.Count; i++)
        {
            using var c = _convs[i].call(h);
            using var n = _norms[i].call(c);
            h.Dispose();
            h = F.relu(n);
            bool endOfStage = (i + 1) % _perStage == 0, lastStage = i >= _convs.Count - _perStage;
            if (endOfStage && !lastStage) { var p = F.max_pool2d(h, 2, 2); h.Dispose(); h = p; }
        }
        var pooled = h.mean([2, 3]);
        h.Dispose();
        return pooled;
    }

    /// <summary>The classifier layer as plain data (no standardisation: the embedding is used as it is).</summary>
    public HeadWeights Head(IReadOnlyList<string> labels)
    {
        var w = _fc.weight!.detach().cpu().data<float>().ToArray();
        var b = _fc.bias!.detach().cpu().data<float>().ToArray();
        return new HeadWeights(labels, new float[EmbeddingDim], Enumerable.Repeat(1f, EmbeddingDim).ToArray(),
            [new DenseLayer(EmbeddingDim, Classes, w, b)]);
    }

    /// <summary>
    /// The trunk (input to embedding) as a Lookout backbone graph in inference form: BatchNormalization with the
    /// running statistics, no dropout. <paramref name="spec"/> carries the size and the training pixels' mean/std.
    /// </summary>
    public OnnxModel ExportTrunk(PreprocessSpec spec, string id)
    {
        var b = new OnnxGraphBuilder();
        b.Graph.Name = id;
        var x = ImageInputPrologue.Append(b, spec);
        for (int i = 0; i < _convs.Count; i++)
        {
            var conv = _convs[i]; var bn = _norms[i];
            var w = conv.weight!;
            x = b.Node("Conv", [x, b.Floats($"conv{i}_w", Data(w), w.shape)],
                OnnxAttribute.Of("kernel_shape", 3L, 3L), OnnxAttribute.Of("pads", 1L, 1L, 1L, 1L));
            x = b.Node("BatchNormalization",
                [x, b.Floats($"bn{i}_scale", Data(bn.weight!), bn.weight!.shape[0]), b.Floats($"bn{i}_bias", Data(bn.bias!), bn.bias!.shape[0]),
                 b.Floats($"bn{i}_mean", Data(bn.running_mean!), bn.running_mean!.shape[0]), b.Floats($"bn{i}_var", Data(bn.running_var!), bn.running_var!.shape[0])],
                OnnxAttribute.Of("epsilon", (float)bn.eps));
            x = b.Node("Relu", [x]);
            bool endOfStage = (i + 1) % _perStage == 0, lastStage = i >= _convs.Count - _perStage;
            if (endOfStage && !lastStage)
                x = b.Node("MaxPool", [x], OnnxAttribute.Of("kernel_shape", 2L, 2L), OnnxAttribute.Of("strides", 2L, 2L));
        }
        var pooled = b.Node("GlobalAveragePool", [x]);
        b.NodeNamed("Flatten", [pooled], [Backbone.OutputName], OnnxAttribute.Of("axis", 1L));
        b.Output(Backbone.OutputName, OnnxDataType.Float, "N", EmbeddingDim);
        var model = new OnnxModel { Graph = b.Graph, ProducerName = "lookout-compact-cnn" };
        model.Metadata[Backbone.IdKey] = id;
        model.Metadata[Backbone.PreprocessKey] = spec.ToJson();
        return model;
    }

    private static float[] Data(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    /// <summary>He-normal conv weights, BatchNorm (1, 0), classifier U(+-1/sqrt(fan_in)); all from one seeded generator.</summary>
    private void Initialise(Random rng)
    {
        using var _ = no_grad();
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        foreach (var conv in _convs)
        {
            var w = conv.weight!;
            long fanOut = w.shape[0] * w.shape[2] * w.shape[3];
            double std = Math.Sqrt(2.0 / fanOut);
            var v = new float[w.numel()];
            for (int i = 0; i < v.Length; i++) v[i] = (float)(Gaussian() * std);
            w.copy_(tensor(v).reshape(w.shape));
        }
        double bound = 1 / Math.Sqrt(EmbeddingDim);
        var fw = new float[_fc.weight!.numel()];
        for (int i = 0; i < fw.Length; i++) fw[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
        _fc.weight.copy_(tensor(fw).reshape(_fc.weight.shape));
        _fc.bias!.zero_();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _generator.Dispose();
        base.Dispose(disposing);
    }
}

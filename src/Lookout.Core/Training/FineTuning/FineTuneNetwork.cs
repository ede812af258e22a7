using Lookout.Core.Models.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Lookout.Core.Models.OnnxTorch;

namespace Lookout.Core.Training.FineTuning;

/// <summary>
/// The model being fine-tuned: the ONNX backbone (last blocks trainable) and a linear head on its embedding.
/// Every trainable tensor has a stable name ("backbone/&lt;initializer&gt;", "head/weight", "head/bias") used by
/// the optimizer state and checkpoints.
/// </summary>
public sealed class FineTuneNetwork : IDisposable
{
    public FineTuneNetwork(OnnxModel backbone, int trainableBlocks, string embeddingOutput, int classes, LinearHead? initialHead, int seed = 1)
    {
        Backbone = new OnnxTorchModule(backbone, TrainableSelection.LastConvBlocks(backbone.Graph, trainableBlocks), embeddingOutput);
        var inputShape = backbone.Graph.Inputs.First(i => i.Name == Backbone.InputName).Shape;
        if (inputShape is not { Count: 4 } || inputShape[1].Value is not { } h || inputShape[2].Value is not { } w || inputShape[3].Value != 3)
            throw new LookoutException($"The backbone's input '{Backbone.InputName}' must be uint8 [N,H,W,3] with fixed H and W.");
        (InputHeight, InputWidth) = ((int)h, (int)w);
        Dim = EmbeddingDim();
        Tensor weight, bias;
        if (initialHead is not null)
        {
            initialHead.Check();
            if (initialHead.Dim != Dim || initialHead.Classes != classes)
                throw new LookoutException($"The initial head is [{initialHead.Classes},{initialHead.Dim}] but the run needs [{classes},{Dim}].");
            weight = torch.tensor(initialHead.Weight).reshape(classes, Dim);
            bias = torch.tensor(initialHead.Bias);
        }
        else
        {
            // PyTorch's nn.Linear default: U(-1/sqrt(D), 1/sqrt(D)), from the run's own generator: torch's global one is
            // shared by every thread, so another training in the same process would change this run's start.
            double bound = 1 / Math.Sqrt(Dim);
            using var generator = new torch.Generator((ulong)seed);
            weight = torch.rand(classes, Dim, generator: generator) * (2 * bound) - bound;
            bias = torch.rand(classes, generator: generator) * (2 * bound) - bound;
        }
        HeadWeight = new Parameter(weight, requires_grad: true);
        HeadBias = new Parameter(bias, requires_grad: true);
        Classes = classes;
    }

    public OnnxTorchModule Backbone { get; }
    public Parameter HeadWeight { get; }
    public Parameter HeadBias { get; }
    public int Classes { get; }
    public int Dim { get; }
    public int InputHeight { get; }
    public int InputWidth { get; }

    public IReadOnlyList<(string Name, Parameter Param)> BackboneParameters =>
        Backbone.TrainableInitializers.Select(n => ("backbone/" + n, Backbone.TrainableParameters[n])).ToList();

    public IReadOnlyList<(string Name, Parameter Param)> HeadParameters => [("head/weight", HeadWeight), ("head/bias", HeadBias)];

    public IEnumerable<(string Name, Parameter Param)> AllParameters => BackboneParameters.Concat(HeadParameters);

    /// <summary>Class scores for a uint8 [N,H,W,3] batch.</summary>
    public Tensor Logits(Tensor images)
    {
        using var embedding = Backbone.forward(images);
        return F.linear(embedding, HeadWeight, HeadBias);
    }

    public LinearHead ExportHead()
    {
        using var w = HeadWeight.detach().contiguous();
        using var b = HeadBias.detach().contiguous();
        return new LinearHead(Classes, Dim, w.data<float>().ToArray(), b.data<float>().ToArray());
    }

    private int EmbeddingDim()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var probe = torch.zeros(1, InputHeight, InputWidth, 3, dtype: ScalarType.Byte);
        var e = Backbone.forward(probe);
        if (e.dim() != 2) throw new LookoutException($"The backbone output '{Backbone.OutputName}' must be [N,D], got rank {e.dim()}.");
        return (int)e.shape[1];
    }

    public void Dispose()
    {
        Backbone.Dispose();
        HeadWeight.Dispose();
        HeadBias.Dispose();
    }
}

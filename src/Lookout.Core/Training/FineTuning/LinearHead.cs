using Lookout.Core.Models.Heads;

namespace Lookout.Core.Training.FineTuning;

/// <summary>A linear classifier on the embedding as plain data: logits = Weight x + Bias, Weight row-major [Classes, Dim].</summary>
public sealed record LinearHead(int Classes, int Dim, float[] Weight, float[] Bias)
{
    public void Check()
    {
        if (Classes < 2) throw new LookoutException($"A classifier needs at least 2 classes (got {Classes}).");
        if (Weight.Length != Classes * Dim || Bias.Length != Classes)
            throw new LookoutException($"Head shape mismatch: weight {Weight.Length} values for [{Classes},{Dim}], bias {Bias.Length}.");
    }
}

/// <summary>Conversions between the fine-tuning head and the frozen-embedding trainer's <see cref="HeadWeights"/>.</summary>
public static class LinearHeadConversions
{
    /// <summary>
    /// A linear head trained on frozen embeddings, with its input standardisation folded in, as the starting head
    /// for fine-tuning. Heads with hidden layers cannot start a linear head.
    /// </summary>
    public static LinearHead ToLinearHead(this HeadWeights weights)
    {
        var layers = weights.FoldedLayers();
        if (layers.Count != 1)
            throw new LookoutException($"Only a single-layer (linear) head can start fine-tuning; this one has {layers.Count} layers.");
        var l = layers[0];
        return new LinearHead(l.Out, l.In, l.Weight.ToArray(), l.Bias.ToArray());
    }

    /// <summary>The head as <see cref="HeadWeights"/> (identity standardisation), for the ONNX export path.</summary>
    public static HeadWeights ToHeadWeights(this LinearHead head, IReadOnlyList<string> labels)
    {
        head.Check();
        if (labels.Count != head.Classes) throw new LookoutException($"{labels.Count} labels for a {head.Classes}-class head.");
        return new HeadWeights(labels, new float[head.Dim], Enumerable.Repeat(1f, head.Dim).ToArray(),
            [new DenseLayer(head.Dim, head.Classes, head.Weight.ToArray(), head.Bias.ToArray())]);
    }
}

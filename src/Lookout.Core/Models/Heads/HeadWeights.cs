namespace Lookout.Core.Models.Heads;

/// <summary>A fully connected layer: <c>y = W x + b</c>, W row-major [Out, In].</summary>
public sealed record DenseLayer(int In, int Out, float[] Weight, float[] Bias);

/// <summary>
/// A trained classification head as plain data: input standardisation <c>(x - Mean) / Std</c>, then dense layers
/// with ReLU between them, then softmax over <see cref="Labels"/>. Export and tests read this, not torch modules.
/// </summary>
public sealed record HeadWeights(IReadOnlyList<string> Labels, float[] Mean, float[] Std, IReadOnlyList<DenseLayer> Layers)
{
    public int InputDim => Mean.Length;

    /// <summary>
    /// The same function with the standardisation folded into the first layer:
    /// <c>W((x - m)/s) + b = (W/s) x + (b - W(m/s))</c>, computed in double.
    /// </summary>
    public IReadOnlyList<DenseLayer> FoldedLayers()
    {
        var first = Layers[0];
        var w = new float[first.Weight.Length];
        var b = new float[first.Out];
        for (int o = 0; o < first.Out; o++)
        {
            double shift = 0;
            for (int i = 0; i < first.In; i++)
            {
                double wi = first.Weight[o * first.In + i] / (double)Std[i];
                w[o * first.In + i] = (float)wi;
                shift += wi * Mean[i];
            }
            b[o] = (float)(first.Bias[o] - shift);
        }
        return [new DenseLayer(first.In, first.Out, w, b), .. Layers.Skip(1)];
    }
}

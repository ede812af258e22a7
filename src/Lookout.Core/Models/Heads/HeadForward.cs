namespace Lookout.Core.Models.Heads;

/// <summary>
/// The head's forward pass in plain C# (standardise, dense layers with ReLU between, softmax), for work that runs
/// on cached embeddings without ONNX or torch: calibration, out-of-fold probabilities, open-set evaluation.
/// Agrees with the exported graph to float rounding.
/// </summary>
public static class HeadForward
{
    public static float[] Probabilities(this HeadWeights head, float[] embedding)
    {
        var x = new float[head.InputDim];
        for (int i = 0; i < x.Length; i++) x[i] = (embedding[i] - head.Mean[i]) / head.Std[i];
        for (int l = 0; l < head.Layers.Count; l++)
        {
            var layer = head.Layers[l];
            if (l > 0) for (int i = 0; i < x.Length; i++) x[i] = Math.Max(x[i], 0);
            var y = new float[layer.Out];
            for (int o = 0; o < layer.Out; o++)
            {
                double s = layer.Bias[o];
                var w = layer.Weight.AsSpan(o * layer.In, layer.In);
                for (int i = 0; i < w.Length; i++) s += w[i] * x[i];
                y[o] = (float)s;
            }
            x = y;
        }
        return Softmax(x);
    }

    public static float[][] Probabilities(this HeadWeights head, IReadOnlyList<float[]> embeddings) =>
        embeddings.Select(head.Probabilities).ToArray();

    public static float[] Softmax(float[] logits)
    {
        float max = logits.Max();
        var e = logits.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => (float)(v / sum)).ToArray();
    }

    public static int ArgMax(float[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}

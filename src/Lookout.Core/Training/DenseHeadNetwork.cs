using Lookout.Core.Models.Heads;
using System.Numerics;

namespace Lookout.Core.Training;

/// <summary>
/// The trainable head in plain C#: Linear, or Linear-ReLU-Dropout-Linear, on standardised embeddings, with its own
/// forward/backward pass and AdamW (torch's formulas: decoupled weight decay on every parameter, bias-corrected
/// moments, betas 0.9/0.999, eps 1e-8). Heads are tiny (512 x 10), so this is faster than any tensor library's
/// per-op overhead and needs no native runtime: a retrain on cached embeddings never loads libtorch. Initial weights
/// follow torch.nn.Linear's U(+-1/sqrt(fan_in)) and all randomness (init, dropout) comes from the seed.
/// </summary>
internal sealed class DenseHeadNetwork
{
    private readonly Layer[] _layers;
    private readonly double _dropout;
    private readonly Random _rng;
    private int _step;

    public DenseHeadNetwork(int inputDim, int hidden, int classes, double dropout, int seed)
    {
        var init = new Random(seed);
        _layers = hidden > 0
            ? [new Layer(inputDim, hidden, init), new Layer(hidden, classes, init)]
            : [new Layer(inputDim, classes, init)];
        _dropout = dropout;
        _rng = new Random(unchecked(seed * 31 + 7));
    }

    public IReadOnlyList<DenseLayer> Export() =>
        [.. _layers.Select(l => new DenseLayer(l.In, l.Out, (float[])l.W.Clone(), (float[])l.B.Clone()))];

    /// <summary>Logits for rows <paramref name="rows"/> of <paramref name="x"/> (eval mode: no dropout).</summary>
    public float[][] Logits(float[][] x, ReadOnlySpan<int> rows)
    {
        var result = new float[rows.Length][];
        for (int r = 0; r < rows.Length; r++)
        {
            var h = x[rows[r]];
            for (int l = 0; l < _layers.Length; l++)
            {
                if (l > 0) h = Relu(h);
                h = _layers[l].Forward(h);
            }
            result[r] = h;
        }
        return result;
    }

    /// <summary>
    /// One AdamW step on a mini-batch with torch's weighted, label-smoothed cross-entropy (mean over the batch's
    /// target weights). Returns the batch loss and how many rows the pre-step logits got right.
    /// </summary>
    public (double Loss, int Correct) Step(float[][] x, int[] y, ReadOnlySpan<int> batch, float[]? classWeights, double smoothing,
        double lr, double weightDecay)
    {
        int c = _layers[^1].Out;
        foreach (var l in _layers) l.ZeroGrad();
        double weightSum = 0, lossSum = 0; int correct = 0;
        var perRow = new (float[] Input, float[]? Hidden, float[]? Mask, float[] Logits)[batch.Length];
        for (int r = 0; r < batch.Length; r++)
        {
            var input = x[batch[r]];
            float[]? hidden = null, mask = null;
            float[] logits;
            if (_layers.Length == 2)
            {
                hidden = Relu(_layers[0].Forward(input));
                if (_dropout > 0)
                {
                    mask = new float[hidden.Length];
                    float keep = (float)(1 / (1 - _dropout));
                    for (int i = 0; i < mask.Length; i++) { mask[i] = _rng.NextDouble() >= _dropout ? keep : 0f; hidden[i] *= mask[i]; }
                }
                logits = _layers[1].Forward(hidden);
            }
            else logits = _layers[0].Forward(input);
            perRow[r] = (input, hidden, mask, logits);
            weightSum += classWeights?[y[batch[r]]] ?? 1f;
        }

        var grad = new float[c];
        for (int r = 0; r < batch.Length; r++)
        {
            var (input, hidden, mask, logits) = perRow[r];
            int t = y[batch[r]];
            if (HeadForward.ArgMax(logits) == t) correct++;
            var p = HeadForward.Softmax(logits);
            double wt = classWeights?[t] ?? 1.0, wSum = classWeights?.Sum() ?? c;
            // loss = (1-e) w_t (-log p_t) + (e/C) sum_c w_c (-log p_c); d/dz = (1-e) w_t (p - 1_t) + (e/C)(wSum p - w)
            double loss = (1 - smoothing) * wt * -Math.Log(Math.Max(p[t], 1e-30));
            for (int k = 0; k < c; k++)
            {
                double wk = classWeights?[k] ?? 1.0;
                loss += smoothing / c * wk * -Math.Log(Math.Max(p[k], 1e-30));
                double g = (1 - smoothing) * wt * (p[k] - (k == t ? 1 : 0)) + smoothing / c * (wSum * p[k] - wk);
                grad[k] = (float)(g / weightSum);
            }
            lossSum += loss;
            if (_layers.Length == 2)
            {
                var dh = _layers[1].Backward(hidden!, grad, wantInputGrad: true)!;
                for (int i = 0; i < dh.Length; i++)
                    dh[i] = hidden![i] <= 0 ? 0 : mask is null ? dh[i] : dh[i] * mask[i];
                _layers[0].Backward(input, dh, wantInputGrad: false);
            }
            else _layers[0].Backward(input, grad, wantInputGrad: false);
        }
        _step++;
        foreach (var l in _layers) l.AdamW(lr, weightDecay, _step);
        return (lossSum / weightSum, correct);
    }

    private static float[] Relu(float[] v)
    {
        var r = new float[v.Length];
        for (int i = 0; i < v.Length; i++) r[i] = Math.Max(v[i], 0f);
        return r;
    }

    private sealed class Layer
    {
        public readonly int In, Out;
        public readonly float[] W, B;
        private readonly float[] _gw, _gb, _mw, _vw, _mb, _vb;

        public Layer(int inputs, int outputs, Random rng)
        {
            In = inputs; Out = outputs;
            W = new float[inputs * outputs]; B = new float[outputs];
            double bound = 1 / Math.Sqrt(inputs);
            for (int i = 0; i < W.Length; i++) W[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
            for (int i = 0; i < B.Length; i++) B[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
            _gw = new float[W.Length]; _mw = new float[W.Length]; _vw = new float[W.Length];
            _gb = new float[B.Length]; _mb = new float[B.Length]; _vb = new float[B.Length];
        }

        public float[] Forward(float[] x)
        {
            var y = new float[Out];
            for (int o = 0; o < Out; o++) y[o] = B[o] + Dot(W.AsSpan(o * In, In), x);
            return y;
        }

        /// <summary>Accumulates dW += g x^T, dB += g; returns W^T g when asked.</summary>
        public float[]? Backward(float[] x, float[] g, bool wantInputGrad)
        {
            var dx = wantInputGrad ? new float[In] : null;
            for (int o = 0; o < Out; o++)
            {
                float go = g[o];
                if (go == 0) continue;
                _gb[o] += go;
                Axpy(go, x, _gw.AsSpan(o * In, In));
                if (dx is not null) Axpy(go, W.AsSpan(o * In, In), dx);
            }
            return dx;
        }

        public void ZeroGrad() { Array.Clear(_gw); Array.Clear(_gb); }

        public void AdamW(double lr, double wd, int step)
        {
            Update(W, _gw, _mw, _vw, lr, wd, step);
            Update(B, _gb, _mb, _vb, lr, wd, step);
        }

        private static void Update(float[] p, float[] g, float[] m, float[] v, double lr, double wd, int step)
        {
            const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
            double c1 = 1 - Math.Pow(b1, step), c2 = 1 - Math.Pow(b2, step);
            float decay = (float)(1 - lr * wd);
            for (int i = 0; i < p.Length; i++)
            {
                p[i] *= decay;
                m[i] = (float)(b1 * m[i] + (1 - b1) * g[i]);
                v[i] = (float)(b2 * v[i] + (1 - b2) * g[i] * g[i]);
                p[i] -= (float)(lr * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + eps));
            }
        }

        private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            int i = 0; var acc = Vector<float>.Zero;
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
                acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
            float s = Vector.Sum(acc);
            for (; i < a.Length; i++) s += a[i] * b[i];
            return s;
        }

        private static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
        {
            int i = 0; var va = new Vector<float>(a);
            for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(y[i..]) + va * new Vector<float>(x[i..])).CopyTo(y[i..]);
            for (; i < x.Length; i++) y[i] += a * x[i];
        }
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lookout.Core.Training.FineTuning;

/// <summary>One group of parameters sharing a base learning rate.</summary>
public sealed class ParameterGroup(string name, double learningRate, IReadOnlyList<(string Name, Parameter Param)> parameters)
{
    public string Name { get; } = name;
    public double BaseLearningRate { get; } = learningRate;
    public double LearningRate { get; set; } = learningRate;
    public IReadOnlyList<(string Name, Parameter Param)> Parameters { get; } = parameters;
}

/// <summary>
/// AdamW (Loshchilov &amp; Hutter; PyTorch's update rule) written out so its whole state — step count and both moment
/// tensors per parameter — is plain named data that a checkpoint saves and restores exactly.
/// Weight decay applies to tensors of rank ≥ 2 only (not biases or per-channel scales).
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly Dictionary<string, (Tensor M, Tensor V)> _moments = new(StringComparer.Ordinal);
    private readonly double _beta1, _beta2, _eps, _weightDecay;

    public AdamW(IReadOnlyList<ParameterGroup> groups, double weightDecay, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        Groups = groups;
        (_weightDecay, _beta1, _beta2, _eps) = (weightDecay, beta1, beta2, eps);
        foreach (var g in groups)
            foreach (var (name, p) in g.Parameters)
                _moments[Key(g, name)] = (torch.zeros_like(p).detach(), torch.zeros_like(p).detach());
    }

    public IReadOnlyList<ParameterGroup> Groups { get; }
    public long StepCount { get; private set; }

    public void ZeroGrad()
    {
        foreach (var g in Groups)
            foreach (var (_, p) in g.Parameters)
                if (p.grad is { } grad) { grad.zero_(); }
    }

    public void Step()
    {
        StepCount++;
        double bc1 = 1 - Math.Pow(_beta1, StepCount), bc2 = 1 - Math.Pow(_beta2, StepCount);
        using var noGrad = torch.no_grad();
        // Every Scalar is created here and disposed after its last call: a Scalar converted implicitly from a double is
        // reachable only until its native handle is read, so under GC pressure its finalizer can free it while libtorch
        // still reads it (seen: addcdiv_ failing its float-range check in a loaded test run).
        using Scalar beta1 = _beta1, oneMinusBeta1 = 1 - _beta1, beta2 = _beta2, oneMinusBeta2 = 1 - _beta2,
            sqrtBc2 = Math.Sqrt(bc2), eps = _eps;
        foreach (var g in Groups)
        {
            using Scalar decay = 1 - g.LearningRate * _weightDecay, step = -g.LearningRate / bc1;
            foreach (var (name, p) in g.Parameters)
            {
                if (p.grad is not { } grad) continue;
                var (m, v) = _moments[Key(g, name)];
                m.mul_(beta1).add_(grad, alpha: oneMinusBeta1);
                v.mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
                if (_weightDecay > 0 && p.dim() >= 2) p.mul_(decay);
                using var root = v.sqrt();
                using var denom = root.div_(sqrtBc2).add_(eps);
                p.addcdiv_(m, denom, value: step);
            }
        }
    }

    /// <summary>Moment tensors by "group/param/m|v" name, for checkpoints.</summary>
    public IEnumerable<(string Name, Tensor Value)> State()
    {
        foreach (var (key, (m, v)) in _moments)
        {
            yield return (key + "/m", m);
            yield return (key + "/v", v);
        }
    }

    public void Restore(long stepCount, IReadOnlyDictionary<string, float[]> state)
    {
        StepCount = stepCount;
        using var noGrad = torch.no_grad();
        foreach (var (name, value) in State().ToList())
        {
            if (!state.TryGetValue(name, out var data) || data.Length != value.numel())
                throw new LookoutException($"The checkpoint's optimizer state has no matching '{name}'.");
            using var src = torch.tensor(data).reshape(value.shape);
            value.copy_(src);
        }
    }

    private static string Key(ParameterGroup g, string name) => $"{g.Name}/{name}";

    public void Dispose()
    {
        foreach (var (m, v) in _moments.Values) { m.Dispose(); v.Dispose(); }
    }
}

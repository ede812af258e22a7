using Lookout.Core.Models.Onnx;
using Lookout.Core.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Lookout.Core.Models.OnnxTorch.Ops;

namespace Lookout.Core.Models.OnnxTorch;

/// <summary>
/// Runs an in-memory ONNX graph with TorchSharp ops so gradients flow through it (fine-tuning, Grad-CAM).
/// Float initializers chosen by the trainable predicate become parameters; every other initializer is a frozen
/// buffer. <see cref="ExportWeights"/> writes the current parameter values back into a copy of the same graph, so
/// the fine-tuned model is still one ONNX file that ONNX Runtime serves.
/// </summary>
public sealed class OnnxTorchModule : nn.Module<Tensor, Tensor>
{
    private readonly OnnxModel _model;
    private readonly IReadOnlyList<OnnxNode> _order;
    private readonly Dictionary<string, Tensor> _constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Parameter> _trainable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lastUse;
    private readonly HashSet<string> _inputs;

    /// <param name="model">The graph; not modified.</param>
    /// <param name="trainable">Which float initializers (by name) get gradients; null freezes everything.</param>
    /// <param name="outputName">The output <see cref="forward"/> returns; default the graph's first output.</param>
    public OnnxTorchModule(OnnxModel model, Func<string, bool>? trainable = null, string? outputName = null)
        : base("OnnxTorchModule")
    {
        TorchRuntime.EnsureVerified();
        _model = model;
        var graph = model.Graph;
        if (graph.Inputs.Count == 0) throw new LookoutException("The ONNX graph has no inputs.");
        InputName = graph.Inputs.FirstOrDefault(i => graph.Initializers.All(t => t.Name != i.Name))?.Name ?? graph.Inputs[0].Name;
        OutputName = outputName ?? graph.Outputs.FirstOrDefault()?.Name
            ?? throw new LookoutException("The ONNX graph has no outputs.");
        _order = GraphOrder.Topological(graph, InputName);
        _inputs = graph.Inputs.Select(i => i.Name).Append(InputName).ToHashSet(StringComparer.Ordinal);
        foreach (var node in _order)
            if (!OnnxOps.TryGet(node.OpType, out _))
                throw new LookoutException(
                    $"ONNX op '{node.OpType}' (node '{node.Name}') is not supported by the TorchSharp executor. " +
                    $"Supported: {string.Join(", ", OnnxOps.Supported.Order())}.");
        int index = 0;
        foreach (var init in graph.Initializers)
        {
            // Module state must outlive any DisposeScope the module happens to be built in.
            var t = OnnxTensors.ToTorch(init).DetachFromDisposeScope();
            var key = $"i{index++}_{Sanitize(init.Name)}";
            if (init.Type == OnnxDataType.Float && trainable?.Invoke(init.Name) == true)
            {
                var p = new Parameter(t, requires_grad: true);
                register_parameter(key, p);
                _trainable[init.Name] = p;
                _constants[init.Name] = p;
            }
            else
            {
                // Buffers, not parameters: optimizers never see them and they carry no grad.
                register_buffer(key, t);
                _constants[init.Name] = t;
            }
        }
        _lastUse = GraphOrder.LastUses(_order);
    }

    public string InputName { get; }

    /// <summary>
    /// Float32 (default), or BFloat16 for hand-made mixed precision: activations and weights are cast to bf16 on use
    /// (parameters stay float32 masters, the casts are differentiable), and requested outputs come back as float32.
    /// </summary>
    public ScalarType ComputeType
    {
        get => _computeType;
        set
        {
            if (value is not (ScalarType.Float32 or ScalarType.BFloat16)) throw new ArgumentException("ComputeType must be Float32 or BFloat16.");
            foreach (var t in _lowPrecision.Values) t.Dispose();
            _lowPrecision.Clear();
            _computeType = value;
        }
    }

    private ScalarType _computeType = ScalarType.Float32;
    private readonly Dictionary<string, Tensor> _lowPrecision = new(StringComparer.Ordinal);
    public string OutputName { get; }

    /// <summary>Initializer names that are trainable parameters, in graph order.</summary>
    public IReadOnlyList<string> TrainableInitializers =>
        _model.Graph.Initializers.Where(t => _trainable.ContainsKey(t.Name)).Select(t => t.Name).ToList();

    /// <summary>The trainable parameters keyed by initializer name.</summary>
    public IReadOnlyDictionary<string, Parameter> TrainableParameters => _trainable;

    /// <summary>The nodes in execution order (topological).</summary>
    public IReadOnlyList<OnnxNode> Nodes => _order;

    public override Tensor forward(Tensor input) => Run(input, [OutputName])[OutputName];

    /// <summary>
    /// Evaluates the graph and returns the requested values (graph outputs or any intermediate tensor name).
    /// <paramref name="tap"/> sees every node output and may replace it (Grad-CAM swaps a feature map for a leaf that
    /// requires grad). Intermediate tensors are disposed after their last use; the caller owns the returned ones.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Run(Tensor input, IReadOnlyCollection<string> outputs, Func<string, Tensor, Tensor>? tap = null) =>
        Run(new Dictionary<string, Tensor>(StringComparer.Ordinal) { [InputName] = input }, outputs, tap);

    /// <summary>
    /// As <see cref="Run(Tensor, IReadOnlyCollection{string}, Func{string, Tensor, Tensor}?)"/> for a graph with several
    /// inputs (e.g. the trainable tail of a network fed with features computed elsewhere); inputs are never disposed.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs, IReadOnlyCollection<string> outputs, Func<string, Tensor, Tensor>? tap = null)
    {
        var wanted = new HashSet<string>(outputs, StringComparer.Ordinal);
        var values = new Dictionary<string, Tensor>(inputs, StringComparer.Ordinal);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, value) in inputs) if (wanted.Contains(name)) result[name] = value;
        long opset = _model.DefaultOpset;
        var castParams = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int step = 0; step < _order.Count; step++)
        {
            var node = _order[step];
            var args = node.Inputs.Select(n => n.Length == 0 ? null : Lookup(values, castParams, n, node)).ToArray();
            OnnxOps.TryGet(node.OpType, out var impl);
            Tensor[] produced;
            try { produced = impl(new OpContext(node, args, opset, _computeType)); }
            catch (Exception e) when (e is not LookoutException)
            {
                var shapes = string.Join(", ", args.Select(a => a is null ? "-" : $"[{string.Join(",", a.shape)}]"));
                throw new LookoutException($"ONNX node '{node.Name}' ({node.OpType}) failed on inputs {shapes}: {e.Message}", e);
            }
            for (int o = 0; o < node.Outputs.Count && o < produced.Length; o++)
            {
                var name = node.Outputs[o];
                if (name.Length == 0) { produced[o].Dispose(); continue; }
                var value = tap is null ? produced[o] : tap(name, produced[o]);
                if (node.OpType == "Constant") value = Lowered(value);
                values[name] = value;
                if (wanted.Contains(name)) result[name] = value;
            }
            ReleaseDead(values, wanted, node, step);
            if (result.Count == wanted.Count) break;
        }
        // Values computed but never consumed (side outputs, or nodes past the ones asked for) are released here.
        foreach (var (name, t) in values)
            if (!_inputs.Contains(name) && !wanted.Contains(name)) t.Dispose();
        foreach (var t in castParams.Values) t.Dispose();
        if (_computeType != ScalarType.Float32)
            foreach (var name in result.Keys.ToList())
                if (result[name].dtype == _computeType) { var f = result[name].to_type(ScalarType.Float32); result[name].Dispose(); result[name] = f; }
        foreach (var w in wanted)
            if (!result.ContainsKey(w)) throw new LookoutException($"The ONNX graph does not compute '{w}'.");
        return result;
    }

    private Tensor Lookup(Dictionary<string, Tensor> values, Dictionary<string, Tensor> castParams, string name, OnnxNode node)
    {
        if (values.TryGetValue(name, out var v)) return v;
        if (!_constants.TryGetValue(name, out var c))
            throw new LookoutException($"ONNX node '{node.Name}' ({node.OpType}) reads '{name}', which nothing produced.");
        if (_computeType == ScalarType.Float32 || c.dtype != ScalarType.Float32) return c;
        // Trainable weights are cast per run (the cast is part of the autograd graph); frozen ones once.
        if (_trainable.ContainsKey(name))
            return castParams.TryGetValue(name, out var p) ? p : castParams[name] = c.to_type(_computeType);
        return _lowPrecision.TryGetValue(name, out var l) ? l : _lowPrecision[name] = c.detach().to_type(_computeType).DetachFromDisposeScope();
    }

    private Tensor Lowered(Tensor t)
    {
        if (_computeType == ScalarType.Float32 || t.dtype != ScalarType.Float32) return t;
        var low = t.to_type(_computeType);
        t.Dispose();
        return low;
    }

    private void ReleaseDead(Dictionary<string, Tensor> values, HashSet<string> wanted, OnnxNode node, int step)
    {
        foreach (var name in node.Inputs)
        {
            if (name.Length == 0 || _inputs.Contains(name) || wanted.Contains(name)) continue;
            if (_lastUse.GetValueOrDefault(name, -1) != step || !values.Remove(name, out var t)) continue;
            t.Dispose();
        }
    }

    /// <summary>
    /// A copy of the model (graph, metadata, opsets shared) whose trainable initializers hold the current values.
    /// </summary>
    public OnnxModel ExportWeights()
    {
        var src = _model.Graph;
        var graph = new OnnxGraph { Name = src.Name };
        graph.Nodes.AddRange(src.Nodes);
        graph.Inputs.AddRange(src.Inputs);
        graph.Outputs.AddRange(src.Outputs);
        foreach (var init in src.Initializers)
            graph.Initializers.Add(_trainable.TryGetValue(init.Name, out var p) ? OnnxTensors.FromTorch(init.Name, p, init.Dims) : init);
        var copy = new OnnxModel
        {
            IrVersion = _model.IrVersion, ProducerName = _model.ProducerName,
            ProducerVersion = _model.ProducerVersion, Graph = graph,
        };
        copy.Opsets.Clear();
        copy.Opsets.AddRange(_model.Opsets);
        foreach (var (k, v) in _model.Metadata) copy.Metadata[k] = v;
        return copy;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var t in _lowPrecision.Values) t.Dispose();
            _lowPrecision.Clear();
        }
        base.Dispose(disposing);
    }

    private static string Sanitize(string name)
    {
        var chars = name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '_').ToArray();
        var s = new string(chars);
        return s.Length > 48 ? s[^48..] : s;
    }
}

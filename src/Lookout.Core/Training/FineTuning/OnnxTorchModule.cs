using Lookout.Core.Models.Onnx;
using Lookout.Core.Training.FineTuning.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Lookout.Core.Training.FineTuning;

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

    /// <param name="model">The graph; not modified.</param>
    /// <param name="trainable">Which float initializers (by name) get gradients; null freezes everything.</param>
    /// <param name="outputName">The output <see cref="forward"/> returns; default the graph's first output.</param>
    public OnnxTorchModule(OnnxModel model, Func<string, bool>? trainable = null, string? outputName = null)
        : base("OnnxTorchModule")
    {
        _model = model;
        var graph = model.Graph;
        if (graph.Inputs.Count == 0) throw new LookoutException("The ONNX graph has no inputs.");
        InputName = graph.Inputs.FirstOrDefault(i => graph.Initializers.All(t => t.Name != i.Name))?.Name ?? graph.Inputs[0].Name;
        OutputName = outputName ?? graph.Outputs.FirstOrDefault()?.Name
            ?? throw new LookoutException("The ONNX graph has no outputs.");
        _order = GraphOrder.Topological(graph, InputName);
        foreach (var node in _order)
            if (!OnnxOps.TryGet(node.OpType, out _))
                throw new LookoutException(
                    $"ONNX op '{node.OpType}' (node '{node.Name}') is not supported by the TorchSharp executor. " +
                    $"Supported: {string.Join(", ", OnnxOps.Supported.Order())}.");
        int index = 0;
        foreach (var init in graph.Initializers)
        {
            var t = OnnxTensors.ToTorch(init);
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
    public IReadOnlyDictionary<string, Tensor> Run(Tensor input, IReadOnlyCollection<string> outputs, Func<string, Tensor, Tensor>? tap = null)
    {
        var wanted = new HashSet<string>(outputs, StringComparer.Ordinal);
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [InputName] = input };
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (wanted.Contains(InputName)) result[InputName] = input;
        long opset = _model.DefaultOpset;
        for (int step = 0; step < _order.Count; step++)
        {
            var node = _order[step];
            var args = node.Inputs.Select(n => n.Length == 0 ? null : Lookup(values, n, node)).ToArray();
            OnnxOps.TryGet(node.OpType, out var impl);
            Tensor[] produced;
            try { produced = impl(new OpContext(node, args, opset)); }
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
                values[name] = value;
                if (wanted.Contains(name)) result[name] = value;
            }
            ReleaseDead(values, wanted, node, step);
            if (result.Count == wanted.Count) break;
        }
        // Values computed but never consumed (side outputs, or nodes past the ones asked for) are released here.
        foreach (var (name, t) in values)
            if (name != InputName && !wanted.Contains(name)) t.Dispose();
        foreach (var w in wanted)
            if (!result.ContainsKey(w)) throw new LookoutException($"The ONNX graph does not compute '{w}'.");
        return result;
    }

    private Tensor Lookup(Dictionary<string, Tensor> values, string name, OnnxNode node) =>
        values.TryGetValue(name, out var v) ? v
        : _constants.TryGetValue(name, out var c) ? c
        : throw new LookoutException($"ONNX node '{node.Name}' ({node.OpType}) reads '{name}', which nothing produced.");

    private void ReleaseDead(Dictionary<string, Tensor> values, HashSet<string> wanted, OnnxNode node, int step)
    {
        foreach (var name in node.Inputs)
        {
            if (name.Length == 0 || name == InputName || wanted.Contains(name)) continue;
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

    private static string Sanitize(string name)
    {
        var chars = name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '_').ToArray();
        var s = new string(chars);
        return s.Length > 48 ? s[^48..] : s;
    }
}

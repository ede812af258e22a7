using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Training.Detection;

/// <summary>One NanoDet stride level in the graph: the head's raw conv output (before the class/box split) and its outputs.</summary>
public sealed record NanoDetLevel(int Stride, string RawOutput, string ClsOutput, string RegOutput, string WeightName, string BiasName);

/// <summary>
/// Surgery on the imported NanoDet graph (see the importer notes): each level's head ends in a 1x1 Conv with
/// 80 + 44 output channels, a per-channel bias Add, then Split [80, 44] → Sigmoid/Reshape [1,80,-1] → cls_sN and
/// Reshape [1,44,-1] → reg_sN. <see cref="WithClasses"/> sizes those convs to the user's classes (box-regression
/// channels keep their COCO weights; a class COCO knows starts from COCO's channel, the others fresh at the 1% prior); <see cref="WithInputSize"/>
/// rescales the neck's upsampling targets so the fully convolutional net runs at another multiple of 32.
/// </summary>
public static class NanoDetGraph
{
    public const int RegChannels = 44;
    public const int ImportedSize = 416;
    /// <summary>log(0.01/0.99): every class starts at a 1% score, as in NanoDet/RetinaNet, so the background does not swamp the first steps.</summary>
    public const float PriorBias = -4.59512f;

    public static IReadOnlyList<NanoDetLevel> Levels(OnnxModel model)
    {
        var g = model.Graph;
        var producers = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var n in g.Nodes) foreach (var o in n.Outputs) producers[o] = n;
        var consumers = g.Nodes.SelectMany(n => n.Inputs.Select(i => (i, n))).ToLookup(t => t.i, t => t.n, StringComparer.Ordinal);
        var outputs = g.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        string Follow(string value)
        {
            for (int guard = 0; guard < 16 && !outputs.Contains(value); guard++)
                value = consumers[value].FirstOrDefault()?.Outputs[0] ?? throw new LookoutException($"NanoDet graph: '{value}' reaches no output.");
            return outputs.Contains(value) ? value : throw new LookoutException($"NanoDet graph: '{value}' reaches no output.");
        }
        var levels = new List<NanoDetLevel>();
        foreach (var split in g.Nodes.Where(n => n.OpType == "Split"))
        {
            var add = producers[split.Inputs[0]];
            var conv = producers[add.Inputs[0]];
            if (add.OpType != "Add" || conv.OpType != "Conv") throw new LookoutException("NanoDet graph: a head Split is not fed by Conv + Add.");
            var cls = Follow(split.Outputs[0]);
            var reg = Follow(split.Outputs[1]);
            int stride = int.Parse(cls[(cls.LastIndexOf('s') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            levels.Add(new NanoDetLevel(stride, split.Inputs[0], cls, reg, conv.Inputs[1], add.Inputs[1]));
        }
        if (levels.Count != 3) throw new LookoutException($"NanoDet graph: expected 3 head levels, found {levels.Count}.");
        return levels.OrderBy(l => l.Stride).ToList();
    }

    /// <summary>
    /// A copy whose head predicts <paramref name="classes"/> classes. A class with a <paramref name="startFrom"/> entry
    /// (an index into the imported model's classes, e.g. COCO's "person" for the user's "person") starts with that
    /// class's weights and bias, so it already finds its objects before any training; the others start fresh (weights
    /// ~N(0, 0.01²), bias at the 1% prior).
    /// </summary>
    public static OnnxModel WithClasses(OnnxModel model, int classes, int seed, IReadOnlyList<int?>? startFrom = null)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes));
        if (startFrom is not null && startFrom.Count != classes) throw new ArgumentException($"startFrom must have one entry per class ({classes})", nameof(startFrom));
        var levels = Levels(model);
        var copy = Copy(model);
        var g = copy.Graph;
        var rng = new Random(seed);
        int oldClasses = -1;
        foreach (var level in levels)
        {
            var w = g.Initializers.First(t => t.Name == level.WeightName);
            var b = g.Initializers.First(t => t.Name == level.BiasName);
            int outCh = (int)w.Dims[0], inCh = (int)(w.ElementCount / outCh);
            oldClasses = outCh - RegChannels;
            var oldW = w.ToFloats();
            var oldB = b.ToFloats();
            var newW = new float[(classes + RegChannels) * inCh];
            var newB = new float[classes + RegChannels];
            for (int i = 0; i < classes * inCh; i++) newW[i] = (float)(Gaussian(rng) * 0.01);
            Array.Copy(oldW, oldClasses * inCh, newW, classes * inCh, RegChannels * inCh);
            for (int c = 0; c < classes; c++) newB[c] = PriorBias;
            for (int c = 0; c < classes; c++)
            {
                if (startFrom?[c] is not { } from) continue;
                if (from < 0 || from >= oldClasses) throw new ArgumentOutOfRangeException(nameof(startFrom), from, $"the model has {oldClasses} classes");
                Array.Copy(oldW, from * inCh, newW, c * inCh, inCh);
                newB[c] = oldB[from];
            }
            Array.Copy(oldB, oldClasses, newB, classes, RegChannels);
            Replace(g, OnnxTensor.FromFloats(w.Name, newW, [classes + RegChannels, .. w.Dims[1..]]));
            Replace(g, OnnxTensor.FromFloats(b.Name, newB, [.. b.Dims[..1], classes + RegChannels, .. b.Dims[2..]]));
        }
        // Split sizes [80,44] and the class Reshape [1,80,-1] carry the class count.
        foreach (var t in g.Initializers.ToList())
        {
            if (t.Type != OnnxDataType.Int64) continue;
            var v = t.ToInt64s();
            if (v.Length == 2 && v[0] == oldClasses && v[1] == RegChannels) Replace(g, OnnxTensor.FromInt64s(t.Name, [classes, RegChannels], 2));
            else if (v.Length == 3 && v[1] == oldClasses && v[2] == -1) Replace(g, OnnxTensor.FromInt64s(t.Name, [v[0], classes, -1], 3));
        }
        var clsNames = levels.Select(l => l.ClsOutput).ToHashSet(StringComparer.Ordinal);
        for (int i = 0; i < g.Outputs.Count; i++)
            if (clsNames.Contains(g.Outputs[i].Name) && g.Outputs[i].Shape is { Count: 3 } s)
                g.Outputs[i] = g.Outputs[i] with { Shape = [s[0], s[1], classes] };
        return copy;
    }

    /// <summary>A copy that takes <paramref name="size"/>x<paramref name="size"/> images (a multiple of 32).</summary>
    public static OnnxModel WithInputSize(OnnxModel model, int size)
    {
        if (size < 64 || size % 32 != 0) throw new ArgumentException($"NanoDet input size must be a multiple of 32 and at least 64, got {size}");
        var copy = Copy(model);
        var g = copy.Graph;
        var input = g.Inputs[0];
        int current = (int)(input.Shape?[1].Value ?? ImportedSize);
        if (current == size) return copy;
        g.Inputs[0] = input with { Shape = [input.Shape![0], size, size, input.Shape[3]] };
        // The neck's Resize targets are constants named hw*: [26,26] at 416 is size/16.
        foreach (var t in g.Initializers.ToList())
        {
            if (!t.Name.StartsWith("hw", StringComparison.Ordinal) || t.Type != OnnxDataType.Int64 || t.ElementCount != 2) continue;
            var v = t.ToInt64s();
            Replace(g, OnnxTensor.FromInt64s(t.Name, [v[0] * size / current, v[1] * size / current], 2));
        }
        return copy;
    }

    /// <summary>
    /// A copy that runs at any batch size: the imported heads reshape with a literal batch of 1 ([1,C,-1]); those
    /// shapes become [0,C,-1] with <c>allowzero</c> 0, i.e. "keep the input's batch".
    /// </summary>
    public static OnnxModel WithBatchAnySize(OnnxModel model)
    {
        var copy = Copy(model);
        var g = copy.Graph;
        var shapes = g.Initializers.Where(t => t.Type == OnnxDataType.Int64 && t.ElementCount == 3).ToDictionary(t => t.Name, StringComparer.Ordinal);
        int changed = 0;
        for (int i = 0; i < g.Nodes.Count; i++)
        {
            var n = g.Nodes[i];
            if (n.OpType != "Reshape" || n.Inputs.Count < 2 || !shapes.TryGetValue(n.Inputs[1], out var shape)) continue;
            var v = shape.ToInt64s();
            if (v[0] is not (0 or 1) || v[2] != -1) continue;
            Replace(g, OnnxTensor.FromInt64s(shape.Name, [0, v[1], -1], 3));
            g.Nodes[i] = n with { Attributes = [OnnxAttribute.Of("allowzero", 0L)] };
            changed++;
        }
        if (changed != 6) throw new LookoutException($"NanoDet graph: expected 6 head reshapes with a batch of 1, found {changed}.");
        return copy;
    }

    public static int InputSize(OnnxModel model) => (int)(model.Graph.Inputs[0].Shape?[1].Value ?? ImportedSize);

    public static int ClassCount(OnnxModel model)
    {
        var level = Levels(model)[0];
        return (int)model.Graph.Initializers.First(t => t.Name == level.WeightName).Dims[0] - RegChannels;
    }

    private static void Replace(OnnxGraph g, OnnxTensor t)
    {
        int i = g.Initializers.FindIndex(x => x.Name == t.Name);
        g.Initializers[i] = t;
    }

    private static OnnxModel Copy(OnnxModel model)
    {
        var src = model.Graph;
        var graph = new OnnxGraph { Name = src.Name };
        graph.Nodes.AddRange(src.Nodes);
        graph.Inputs.AddRange(src.Inputs);
        graph.Outputs.AddRange(src.Outputs);
        graph.Initializers.AddRange(src.Initializers);
        var copy = new OnnxModel { IrVersion = model.IrVersion, ProducerName = model.ProducerName, ProducerVersion = model.ProducerVersion, Graph = graph };
        copy.Opsets.Clear();
        copy.Opsets.AddRange(model.Opsets);
        foreach (var (k, v) in model.Metadata) copy.Metadata[k] = v;
        return copy;
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}

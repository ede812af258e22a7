using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lookout.Core.Models.TfJs;

namespace Lookout.Core.Tests.Models.TfJs;

/// <summary>Builds tiny TF.js graph models (model.json text + weight bytes) in the real file format, for unit tests.</summary>
public sealed class SyntheticGraph
{
    private readonly JsonArray _nodes = [];
    private readonly JsonArray _weights = [];
    private readonly MemoryStream _bin = new();

    public JsonObject Root { get; } = new() { ["format"] = "graph-model" };

    public string Placeholder(string name, params long[] shape)
    {
        _nodes.Add(new JsonObject
        {
            ["name"] = name, ["op"] = "Placeholder",
            ["attr"] = new JsonObject { ["dtype"] = Type("DT_FLOAT"), ["shape"] = new JsonObject { ["shape"] = Shape(shape) } },
        });
        return name;
    }

    public string Const(string name, float[] values, params long[] shape)
    {
        foreach (var v in values) _bin.Write(BitConverter.GetBytes(v));
        return AddConst(name, "DT_FLOAT", shape, new JsonObject { ["name"] = name, ["shape"] = Dims(shape), ["dtype"] = "float32" });
    }

    public string ConstInt(string name, int[] values, long[] shape, string declared = "DT_INT32")
    {
        foreach (var v in values) _bin.Write(BitConverter.GetBytes(v));
        return AddConst(name, declared, shape, new JsonObject { ["name"] = name, ["shape"] = Dims(shape), ["dtype"] = "int32" });
    }

    public string ConstHalf(string name, float[] values, params long[] shape)
    {
        foreach (var v in values) _bin.Write(BitConverter.GetBytes(BitConverter.HalfToUInt16Bits((Half)v)));
        return AddConst(name, "DT_FLOAT", shape, new JsonObject
        {
            ["name"] = name, ["shape"] = Dims(shape), ["dtype"] = "float32",
            ["quantization"] = new JsonObject { ["dtype"] = "float16", ["original_dtype"] = "float32" },
        });
    }

    public string ConstUint8(string name, byte[] q, double min, double scale, params long[] shape)
    {
        _bin.Write(q);
        return AddConst(name, "DT_FLOAT", shape, new JsonObject
        {
            ["name"] = name, ["shape"] = Dims(shape), ["dtype"] = "float32",
            ["quantization"] = new JsonObject { ["dtype"] = "uint8", ["min"] = min, ["scale"] = scale },
        });
    }

    public string Op(string name, string op, string[] inputs, JsonObject? attrs = null)
    {
        _nodes.Add(new JsonObject
        {
            ["name"] = name, ["op"] = op,
            ["input"] = new JsonArray(inputs.Select(i => (JsonNode)JsonValue.Create(i)!).ToArray()),
            ["attr"] = attrs ?? new JsonObject(),
        });
        return name;
    }

    public string Conv(string name, string x, string w, string padding, int stride, string op = "Conv2D") =>
        Op(name, op, [x, w], new JsonObject
        {
            ["padding"] = S(padding), ["strides"] = Ints(1, stride, stride, 1), ["data_format"] = S("NHWC"),
            ["dilations"] = Ints(1, 1, 1, 1), ["explicit_paddings"] = new JsonObject { ["list"] = new JsonObject() },
        });

    public byte[] Weights => _bin.ToArray();

    public string Json()
    {
        var root = JsonNode.Parse(Root.ToJsonString())!.AsObject();
        root["modelTopology"] = new JsonObject { ["node"] = JsonNode.Parse(_nodes.ToJsonString()), ["library"] = new JsonObject(), ["versions"] = new JsonObject() };
        root["weightsManifest"] = new JsonArray(new JsonObject { ["paths"] = new JsonArray("w.bin"), ["weights"] = JsonNode.Parse(_weights.ToJsonString()) });
        return root.ToJsonString();
    }

    public TfJsModel Load() => TfJsLoader.Parse(Json(), _ => Weights);

    public static JsonObject S(string s) => new() { ["s"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(s)) };
    public static JsonObject I(long v) => new() { ["i"] = v.ToString() };
    public static JsonObject B(bool v) => new() { ["b"] = v };
    public static JsonObject Type(string t) => new() { ["type"] = t };
    public static JsonObject Ints(params long[] v) =>
        new() { ["list"] = new JsonObject { ["i"] = new JsonArray(v.Select(x => (JsonNode)JsonValue.Create(x.ToString())!).ToArray()) } };

    private string AddConst(string name, string dtype, long[] shape, JsonObject spec)
    {
        _weights.Add(spec);
        _nodes.Add(new JsonObject
        {
            ["name"] = name, ["op"] = "Const",
            ["attr"] = new JsonObject
            {
                ["dtype"] = Type(dtype),
                ["value"] = new JsonObject { ["tensor"] = new JsonObject { ["dtype"] = dtype, ["tensorShape"] = Shape(shape) } },
            },
        });
        return name;
    }

    private static JsonObject Shape(long[] dims) =>
        dims.Length == 0 ? new JsonObject()
        : new JsonObject { ["dim"] = new JsonArray(dims.Select(d => (JsonNode)(d == 0 ? new JsonObject() : new JsonObject { ["size"] = d.ToString() })).ToArray()) };

    private static JsonArray Dims(long[] dims) => new(dims.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray());
}

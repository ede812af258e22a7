using System.Text;
using System.Text.Json;

namespace Lookout.Core.Models.TfJs;

/// <summary>
/// A node attribute in TF.js's protobuf-JSON encoding: <c>{"i":"2"}</c>, <c>{"f":0.1}</c>, <c>{"b":true}</c>,
/// <c>{"s":base64}</c>, <c>{"type":"DT_FLOAT"}</c>, <c>{"list":{...}}</c>, <c>{"shape":{...}}</c>.
/// </summary>
public sealed class TfAttr(JsonElement json)
{
    public JsonElement Json { get; } = json;

    public long Int => ParseLong(Get("i"));
    public float Float => Get("f") is var f && f.ValueKind == JsonValueKind.String ? ParseSpecialFloat(f.GetString()!) : (float)Get("f").GetDouble();
    public bool Bool => Json.TryGetProperty("b", out var b) && b.GetBoolean();
    public string String => Encoding.UTF8.GetString(Convert.FromBase64String(Get("s").GetString() ?? ""));
    public TfDType Type => TfTensor.ParseDType(Get("type").GetString() ?? "");

    public long[] Ints => ListOf("i").Select(ParseLong).ToArray();
    public float[] Floats => ListOf("f").Select(e => (float)e.GetDouble()).ToArray();
    public string[] Strings => ListOf("s").Select(e => Encoding.UTF8.GetString(Convert.FromBase64String(e.GetString() ?? ""))).ToArray();

    /// <summary>A shape attribute's dims (-1 unknown), or null for unknown rank.</summary>
    public long[]? Shape => ParseShape(Get("shape"));

    /// <summary>Dims of <c>{"dim":[{"size":"2"},{}]}</c>; a dim written <c>{}</c> is 0 (proto3 omits zeros).</summary>
    public static long[]? ParseShape(JsonElement shape)
    {
        if (shape.TryGetProperty("unknownRank", out var u) && u.GetBoolean()) return null;
        if (!shape.TryGetProperty("dim", out var dims)) return [];
        return dims.EnumerateArray().Select(d => d.TryGetProperty("size", out var s) ? ParseLong(s) : 0L).ToArray();
    }

    private JsonElement Get(string key) => Json.TryGetProperty(key, out var v)
        ? v : throw new InvalidDataException($"Attribute {Json} has no '{key}' value.");

    private IEnumerable<JsonElement> ListOf(string key) =>
        Json.TryGetProperty("list", out var list) && list.TryGetProperty(key, out var items) ? items.EnumerateArray() : [];

    private static long ParseLong(JsonElement e) => e.ValueKind == JsonValueKind.String ? long.Parse(e.GetString()!) : e.GetInt64();

    private static float ParseSpecialFloat(string s) => s switch
    {
        "NaN" => float.NaN, "Infinity" => float.PositiveInfinity, "-Infinity" => float.NegativeInfinity,
        _ => float.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
    };
}

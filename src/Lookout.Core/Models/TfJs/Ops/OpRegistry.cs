namespace Lookout.Core.Models.TfJs.Ops;

/// <summary>Converts one TF node, returning its outputs in order (most ops have one).</summary>
internal delegate TfValue[] OpConverter(TfNode node, ConversionContext ctx);

/// <summary>Every supported TF op, by name. An op missing here fails conversion with a message naming op and node.</summary>
internal static class OpRegistry
{
    private static readonly Dictionary<string, OpConverter> Map = Build();

    public static bool TryGet(string op, out OpConverter converter) => Map.TryGetValue(op, out converter!);

    public static IReadOnlyCollection<string> Supported => Map.Keys;

    private static Dictionary<string, OpConverter> Build()
    {
        var map = new Dictionary<string, OpConverter>(StringComparer.Ordinal);
        ElementwiseOps.Register(map);
        ConvOps.Register(map);
        ShapeOps.Register(map);
        ReduceOps.Register(map);
        return map;
    }
}

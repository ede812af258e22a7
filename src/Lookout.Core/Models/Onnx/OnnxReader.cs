using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;

namespace Lookout.Core.Models.Onnx;

/// <summary>
/// Parses the ONNX protobuf wire format into an <see cref="OnnxModel"/>: the subset Lookout writes and reads back
/// (graph, nodes, attributes, initializers incl. typed data fields, value infos, opsets, metadata). Unknown fields are skipped.
/// </summary>
public static class OnnxReader
{
    public static OnnxModel Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model not found: {path}", path);
        try { return Parse(File.ReadAllBytes(path)); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"Not a valid ONNX file: {path} ({e.Message})", e); }
    }

    /// <summary>Reads only metadata_props (cheap: the graph bytes are skipped, not decoded).</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var input = new CodedInputStream(File.ReadAllBytes(path));
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 14) { var (k, v) = ParseEntry(input.ReadBytes()); result[k] = v; }
            else input.SkipLastField();
        }
        return result;
    }

    /// <summary>
    /// The model without its nodes and initializers: opsets, metadata, graph inputs and outputs. Checking a model's
    /// contract this way skips decoding tens of megabytes of weights.
    /// </summary>
    public static OnnxModel ReadSignature(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model not found: {path}", path);
        try { return Parse(File.ReadAllBytes(path), signatureOnly: true); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"Not a valid ONNX file: {path} ({e.Message})", e); }
    }

    public static OnnxModel Parse(byte[] bytes) => Parse(bytes, signatureOnly: false);

    /// <summary><see cref="ReadSignature"/> of a model already in memory.</summary>
    public static OnnxModel ParseSignature(byte[] bytes) => Parse(bytes, signatureOnly: true);

    private static OnnxModel Parse(byte[] bytes, bool signatureOnly)
    {
        var m = new OnnxModel();
        m.Opsets.Clear();
        var input = new CodedInputStream(bytes);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: m.IrVersion = input.ReadInt64(); break;
                case 2: m.ProducerName = input.ReadString(); break;
                case 3: m.ProducerVersion = input.ReadString(); break;
                case 7: m.Graph = ParseGraph(input.ReadBytes(), signatureOnly); break;
                case 8: m.Opsets.Add(ParseOpset(input.ReadBytes())); break;
                case 14: var (k, v) = ParseEntry(input.ReadBytes()); m.Metadata[k] = v; break;
                default: input.SkipLastField(); break;
            }
        }
        return m;
    }

    private static OnnxOpset ParseOpset(ByteString b)
    {
        string domain = ""; long version = 0;
        var input = b.CreateCodedInput(); uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: domain = input.ReadString(); break;
                case 2: version = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxOpset(domain, version);
    }

    private static (string, string) ParseEntry(ByteString b)
    {
        string k = "", v = "";
        var input = b.CreateCodedInput(); uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: k = input.ReadString(); break;
                case 2: v = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }
        return (k, v);
    }

    private static OnnxGraph ParseGraph(ByteString b, bool signatureOnly = false)
    {
        var g = new OnnxGraph();
        var input = b.CreateCodedInput(); uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1 or 5 when signatureOnly: input.SkipLastField(); break;
                case 1: g.Nodes.Add(ParseNode(input.ReadBytes())); break;
                case 2: g.Name = input.ReadString(); break;
                case 5: g.Initializers.Add(ParseTensor(input.ReadBytes())); break;
                case 11: g.Inputs.Add(ParseValueInfo(input.ReadBytes())); break;
                case 12: g.Outputs.Add(ParseValueInfo(input.ReadBytes())); break;
                default: input.SkipLastField(); break;
            }
        }
        return g;
    }

    private static OnnxNode ParseNode(ByteString b)
    {
        var inputs = new List<string>(); var outputs = new List<string>(); var attrs = new List<OnnxAttribute>();
        string name = "", op = "", domain = "";
        var input = b.CreateCodedInput(); uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: inputs.Add(input.ReadString()); break;
                case 2: outputs.Add(input.ReadString()); break;
                case 3: name = input.ReadString(); break;
                case 4: op = input.ReadString(); break;
                case 5: attrs.Add(ParseAttribute(input.ReadBytes())); break;
                case 7: domain = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxNode(op, inputs, outputs, name, attrs, domain);
    }

    private static OnnxAttribute ParseAttribute(ByteString b)
    {
        string name = ""; var type = OnnxAttributeType.Undefined; float f = 0; long i = 0; string? s = null;
        OnnxTensor? t = null; OnnxGraph? g = null;
        var floats = new List<float>(); var ints = new List<long>(); var strings = new List<string>();
        var input = b.CreateCodedInput(); uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int field = WireFormat.GetTagFieldNumber(tag);
            var wire = WireFormat.GetTagWireType(tag);
            switch (field)
            {
                case 1: name = input.ReadString(); break;
                case 2: f = input.ReadFloat(); break;
                case 3: i = input.ReadInt64(); break;
                case 4: s = Encoding.UTF8.GetString(input.ReadBytes().Span); break;
                case 5: t = ParseTensor(input.ReadBytes()); break;
                case 6: g = ParseGraph(input.ReadBytes()); break;
                case 7: ReadRepeated(input, wire, floats, x => x.ReadFloat()); break;
                case 8: ReadRepeated(input, wire, ints, x => x.ReadInt64()); break;
                case 9: strings.Add(Encoding.UTF8.GetString(input.ReadBytes().Span)); break;
                case 20: type = (OnnxAttributeType)input.ReadInt32(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxAttribute(name, type, f, i, s, t, floats, ints, strings, g);
    }

    private static void ReadRepeated<T>(CodedInputStream input, WireFormat.WireType wire, List<T> into, Func<CodedInputStream, T> read)
    {
        if (wire != WireFormat.WireType.LengthDelimited) { into.Add(read(input)); return; }
        var packed = input.ReadBytes().CreateCodedInput();
        while (!packed.IsAtEnd) into.Add(read(packed));
    }

    private static OnnxTensor ParseTensor(ByteString b)
    {
        var dims = new List<long>(); var type = OnnxDataType.Undefined; string name = ""; byte[]? raw = null;
        var floatData = new List<float>(); var int32Data = new List<int>(); var int64Data = new List<long>(); var doubleData = new List<double>();
        var input = b.CreateCodedInput(); uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var wire = WireFormat.GetTagWireType(tag);
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ReadRepeated(input, wire, dims, x => x.ReadInt64()); break;
                case 2: type = (OnnxDataType)input.ReadInt32(); break;
                case 4: ReadRepeated(input, wire, floatData, x => x.ReadFloat()); break;
                case 5: ReadRepeated(input, wire, int32Data, x => x.ReadInt32()); break;
                case 7: ReadRepeated(input, wire, int64Data, x => x.ReadInt64()); break;
                case 8: name = input.ReadString(); break;
                case 9: raw = input.ReadBytes().ToByteArray(); break;
                case 10: ReadRepeated(input, wire, doubleData, x => x.ReadDouble()); break;
                default: input.SkipLastField(); break;
            }
        }
        raw ??= type switch
        {
            OnnxDataType.Float => MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(floatData)).ToArray(),
            OnnxDataType.Int64 => MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(int64Data)).ToArray(),
            OnnxDataType.Double => MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(doubleData)).ToArray(),
            OnnxDataType.Int32 => MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(int32Data)).ToArray(),
            // int32_data also carries the narrow integer types and bool, one element per int.
            OnnxDataType.Uint8 or OnnxDataType.Int8 or OnnxDataType.Bool => int32Data.Select(v => (byte)v).ToArray(),
            OnnxDataType.Float16 or OnnxDataType.Uint16 or OnnxDataType.Int16 or OnnxDataType.Bfloat16 =>
                MemoryMarshal.AsBytes(int32Data.Select(v => (ushort)v).ToArray().AsSpan()).ToArray(),
            _ => [],
        };
        return new OnnxTensor(name, type, dims.ToArray(), raw);
    }

    private static OnnxValueInfo ParseValueInfo(ByteString b)
    {
        string name = ""; var elem = OnnxDataType.Undefined; List<OnnxDim>? shape = null;
        var input = b.CreateCodedInput(); uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: name = input.ReadString(); break;
                case 2: (elem, shape) = ParseTypeProto(input.ReadBytes()); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxValueInfo(name, elem, shape);
    }

    private static (OnnxDataType, List<OnnxDim>?) ParseTypeProto(ByteString b)
    {
        var elem = OnnxDataType.Undefined; List<OnnxDim>? shape = null;
        var input = b.CreateCodedInput(); uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1) { input.SkipLastField(); continue; }
            var tensor = input.ReadBytes().CreateCodedInput(); uint t2;
            while ((t2 = tensor.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(t2))
                {
                    case 1: elem = (OnnxDataType)tensor.ReadInt32(); break;
                    case 2: shape = ParseShape(tensor.ReadBytes()); break;
                    default: tensor.SkipLastField(); break;
                }
            }
        }
        return (elem, shape);
    }

    private static List<OnnxDim> ParseShape(ByteString b)
    {
        var dims = new List<OnnxDim>();
        var input = b.CreateCodedInput(); uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 1) { input.SkipLastField(); continue; }
            var dim = input.ReadBytes().CreateCodedInput(); uint t2; long? value = null; string? param = null;
            while ((t2 = dim.ReadTag()) != 0)
            {
                switch (WireFormat.GetTagFieldNumber(t2))
                {
                    case 1: value = dim.ReadInt64(); break;
                    case 2: param = dim.ReadString(); break;
                    default: dim.SkipLastField(); break;
                }
            }
            dims.Add(new OnnxDim(value, param));
        }
        return dims;
    }
}

using Lookout.Core.IO;
using System.Text;
using Google.Protobuf;

namespace Lookout.Core.Models.Onnx;

/// <summary>
/// Serialises an <see cref="OnnxModel"/> to the ONNX protobuf wire format. Field numbers are those of the public
/// onnx.proto (proto2; repeated scalars written unpacked, which every parser accepts).
/// </summary>
public static class OnnxWriter
{
    public static byte[] Serialize(OnnxModel model) => Message(w => WriteModel(w, model));

    /// <summary>Writes atomically, so readers (hot reload, a killed export) never see half a model.</summary>
    public static void Save(OnnxModel model, string path) => AtomicFile.WriteAllBytes(path, Serialize(model));

    private static byte[] Message(Action<CodedOutputStream> body)
    {
        using var ms = new MemoryStream();
        using (var w = new CodedOutputStream(ms, leaveOpen: true)) { body(w); }
        return ms.ToArray();
    }

    private static void Bytes(CodedOutputStream w, int field, byte[] bytes)
    {
        w.WriteTag(field, WireFormat.WireType.LengthDelimited);
        w.WriteBytes(ByteString.CopyFrom(bytes));
    }

    private static void Str(CodedOutputStream w, int field, string value)
    {
        w.WriteTag(field, WireFormat.WireType.LengthDelimited);
        w.WriteString(value);
    }

    private static void Int(CodedOutputStream w, int field, long value)
    {
        w.WriteTag(field, WireFormat.WireType.Varint);
        w.WriteInt64(value);
    }

    private static void WriteModel(CodedOutputStream w, OnnxModel m)
    {
        Int(w, 1, m.IrVersion);
        Str(w, 2, m.ProducerName);
        if (m.ProducerVersion.Length > 0) Str(w, 3, m.ProducerVersion);
        Bytes(w, 7, Message(g => WriteGraph(g, m.Graph)));
        foreach (var o in m.Opsets)
            Bytes(w, 8, Message(x => { if (o.Domain.Length > 0) Str(x, 1, o.Domain); Int(x, 2, o.Version); }));
        foreach (var (k, v) in m.Metadata)
            Bytes(w, 14, Message(x => { Str(x, 1, k); Str(x, 2, v); }));
    }

    private static void WriteGraph(CodedOutputStream w, OnnxGraph g)
    {
        foreach (var n in g.Nodes) Bytes(w, 1, Message(x => WriteNode(x, n)));
        Str(w, 2, g.Name);
        foreach (var t in g.Initializers) Bytes(w, 5, Message(x => WriteTensor(x, t)));
        foreach (var i in g.Inputs) Bytes(w, 11, Message(x => WriteValueInfo(x, i)));
        foreach (var o in g.Outputs) Bytes(w, 12, Message(x => WriteValueInfo(x, o)));
    }

    private static void WriteNode(CodedOutputStream w, OnnxNode n)
    {
        foreach (var i in n.Inputs) Str(w, 1, i);
        foreach (var o in n.Outputs) Str(w, 2, o);
        if (n.Name.Length > 0) Str(w, 3, n.Name);
        Str(w, 4, n.OpType);
        foreach (var a in n.Attrs) Bytes(w, 5, Message(x => WriteAttribute(x, a)));
        if (n.Domain.Length > 0) Str(w, 7, n.Domain);
    }

    private static void WriteAttribute(CodedOutputStream w, OnnxAttribute a)
    {
        Str(w, 1, a.Name);
        switch (a.Type)
        {
            case OnnxAttributeType.Float:
                w.WriteTag(2, WireFormat.WireType.Fixed32); w.WriteFloat(a.F); break;
            case OnnxAttributeType.Int:
                Int(w, 3, a.I); break;
            case OnnxAttributeType.String:
                Bytes(w, 4, Encoding.UTF8.GetBytes(a.S ?? "")); break;
            case OnnxAttributeType.Tensor:
                Bytes(w, 5, Message(x => WriteTensor(x, a.T!))); break;
            case OnnxAttributeType.Graph:
                Bytes(w, 6, Message(x => WriteGraph(x, a.G!))); break;
            case OnnxAttributeType.Floats:
                foreach (var f in a.Floats!) { w.WriteTag(7, WireFormat.WireType.Fixed32); w.WriteFloat(f); }
                break;
            case OnnxAttributeType.Ints:
                foreach (var i in a.Ints!) Int(w, 8, i);
                break;
            case OnnxAttributeType.Strings:
                foreach (var s in a.Strings!) Bytes(w, 9, Encoding.UTF8.GetBytes(s));
                break;
            default:
                throw new NotSupportedException($"Attribute '{a.Name}' has unsupported type {a.Type}.");
        }
        Int(w, 20, (long)a.Type);
    }

    private static void WriteTensor(CodedOutputStream w, OnnxTensor t)
    {
        foreach (var d in t.Dims) Int(w, 1, d);
        Int(w, 2, (long)t.Type);
        if (t.Name.Length > 0) Str(w, 8, t.Name);
        Bytes(w, 9, t.RawData);
    }

    private static void WriteValueInfo(CodedOutputStream w, OnnxValueInfo v)
    {
        Str(w, 1, v.Name);
        var tensorType = Message(tt =>
        {
            Int(tt, 1, (long)v.ElemType);
            if (v.Shape is { } shape)
            {
                Bytes(tt, 2, Message(s =>
                {
                    foreach (var d in shape)
                        Bytes(s, 1, Message(dim =>
                        {
                            if (d.Value is { } val) Int(dim, 1, val);
                            else if (d.Param is { } p) Str(dim, 2, p);
                        }));
                }));
            }
        });
        Bytes(w, 2, Message(tp => Bytes(tp, 1, tensorType)));
    }
}

using System.Text;

namespace Lookout.Core.Models.Onnx;

/// <summary>One field of a protobuf message where it sits in the bytes: [Start, End) with its tag, the payload from <see cref="PayloadStart"/>.</summary>
public readonly record struct WireField(int Number, int WireType, int Start, int End, int PayloadStart)
{
    public const int LengthDelimited = 2;
}

/// <summary>
/// The protobuf wire format read field by field without decoding: enough to copy an ONNX model's nodes and weights
/// into another model byte for byte (<see cref="OnnxSplice"/>), which is what an export of a backbone plus a small
/// head needs, instead of decoding tens of megabytes of weights and writing them again.
/// </summary>
public static class OnnxWire
{
    /// <summary>The fields of the message in <paramref name="bytes"/>[start, end), in order.</summary>
    public static List<WireField> Fields(byte[] bytes, int start, int end)
    {
        var fields = new List<WireField>();
        int p = start;
        while (p < end)
        {
            int fieldStart = p;
            ulong tag = Varint(bytes, ref p);
            int number = (int)(tag >> 3), type = (int)(tag & 7), payload = p;
            switch (type)
            {
                case 0: Varint(bytes, ref p); break;
                case 1: p += 8; break;
                case WireField.LengthDelimited: int length = checked((int)Varint(bytes, ref p)); payload = p; p = checked(p + length); break;
                case 5: p += 4; break;
                default: throw new InvalidDataException($"unsupported protobuf wire type {type} at byte {fieldStart}");
            }
            if (p > end) throw new InvalidDataException($"protobuf field {number} runs past its message (byte {fieldStart})");
            fields.Add(new WireField(number, type, fieldStart, p, payload));
        }
        return fields;
    }

    public static List<WireField> Fields(byte[] bytes, WireField message) => Fields(bytes, message.PayloadStart, message.End);

    public static string String(byte[] bytes, WireField field) => Encoding.UTF8.GetString(bytes, field.PayloadStart, field.End - field.PayloadStart);

    public static void WriteTag(Stream s, int number, int wireType) => WriteVarint(s, ((ulong)number << 3) | (uint)wireType);

    public static void WriteVarint(Stream s, ulong v)
    {
        while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; }
        s.WriteByte((byte)v);
    }

    private static ulong Varint(byte[] b, ref int p)
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (p >= b.Length) throw new InvalidDataException("truncated protobuf varint");
            byte x = b[p++];
            v |= (ulong)(x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
        throw new InvalidDataException("malformed protobuf varint");
    }
}

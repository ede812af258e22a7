using System.Buffers.Binary;
using Google.Protobuf;
using Lookout.Core.Runs;

namespace Lookout.TestSupport;

/// <summary>An independent tfevents parser for tests: checks both CRCs of every record and decodes the Event protobuf.</summary>
public static class TfEventsTestReader
{
    public sealed record Ev(double WallTime, long Step, string? FileVersion, string? Tag, float Value);

    /// <summary>An independent tfevents parser: checks both CRCs of every record and decodes the Event protobuf.</summary>
    public static List<Ev> ReadEvents(byte[] file)
    {
        var list = new List<Ev>();
        int pos = 0;
        while (pos < file.Length)
        {
            var lenBytes = file.AsSpan(pos, 8);
            ulong len = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
            if (Crc32C.Unmask(BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 8))) != Crc32C.Compute(lenBytes))
                throw new InvalidDataException("length CRC");
            var data = file.AsSpan(pos + 12, (int)len);
            if (Crc32C.Unmask(BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 12 + (int)len))) != Crc32C.Compute(data))
                throw new InvalidDataException("data CRC");
            list.Add(Decode(data.ToArray()));
            pos += 16 + (int)len;
        }
        return list;
    }

    private static Ev Decode(byte[] data)
    {
        double wall = 0; long step = 0; string? version = null, tag = null; float value = float.NaN;
        var input = new CodedInputStream(data); uint t;
        while ((t = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(t))
            {
                case 1: wall = input.ReadDouble(); break;
                case 2: step = input.ReadInt64(); break;
                case 3: version = input.ReadString(); break;
                case 5:
                    var summary = input.ReadBytes().CreateCodedInput(); uint st;
                    while ((st = summary.ReadTag()) != 0)
                    {
                        var val = summary.ReadBytes().CreateCodedInput(); uint vt;
                        while ((vt = val.ReadTag()) != 0)
                        {
                            if (WireFormat.GetTagFieldNumber(vt) == 1) tag = val.ReadString();
                            else if (WireFormat.GetTagFieldNumber(vt) == 2) value = val.ReadFloat();
                            else val.SkipLastField();
                        }
                    }
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return new Ev(wall, step, version, tag, value);
    }
}

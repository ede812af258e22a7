using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using Lookout.Core.Runs;

namespace Lookout.Core.Tests.Runs;

public class TfEventsWriterTests
{
    [Fact]
    public void Crc32C_MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32C.Compute([]));
        Assert.Equal(0x12345678u, Crc32C.Unmask(Crc32C.Mask(0x12345678u)));
    }

    [Fact]
    public void WrittenScalars_ReadBackWithValidChecksums()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lookout-tfevents-" + Guid.NewGuid().ToString("N"));
        try
        {
            var t0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250);
            string path;
            using (var w = new TfEventsWriter(dir, () => t0))
            {
                w.AddScalar("loss/train", 0.75f, 1);
                w.AddScalar("loss/val", 0.5f, 1);
                w.AddScalar("accuracy/val", 0.875f, 2);
                path = w.FilePath;
            }
            Assert.StartsWith("events.out.tfevents.1700000000.", Path.GetFileName(path));
            var events = TfEventsTestReader.ReadEvents(File.ReadAllBytes(path));
            Assert.Equal(4, events.Count);
            Assert.Equal("brain.Event:2", events[0].FileVersion);
            Assert.Equal(1_700_000_000.25, events[0].WallTime);
            Assert.Equal([("loss/train", 0.75f, 1L), ("loss/val", 0.5f, 1L), ("accuracy/val", 0.875f, 2L)],
                events.Skip(1).Select(e => (e.Tag!, e.Value, e.Step)).ToArray());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Reader_RejectsACorruptedRecord()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lookout-tfevents-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path;
            using (var w = new TfEventsWriter(dir)) { w.AddScalar("x", 1f, 1); path = w.FilePath; }
            var bytes = File.ReadAllBytes(path);
            bytes[^6] ^= 0x40; // flip a bit inside the last record's data
            Assert.Throws<InvalidDataException>(() => TfEventsTestReader.ReadEvents(bytes));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

/// <summary>An independent tfevents parser for tests: checks both CRCs of every record and decodes the Event protobuf.</summary>
internal static class TfEventsTestReader
{
    internal sealed record Ev(double WallTime, long Step, string? FileVersion, string? Tag, float Value);

    /// <summary>An independent tfevents parser: checks both CRCs of every record and decodes the Event protobuf.</summary>
    internal static List<Ev> ReadEvents(byte[] file)
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

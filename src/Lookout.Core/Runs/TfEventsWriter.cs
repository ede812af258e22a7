using System.Buffers.Binary;
using Google.Protobuf;

namespace Lookout.Core.Runs;

/// <summary>
/// Writes TensorBoard event files (<c>events.out.tfevents.*</c>) with scalar summaries, so a run folder opens in
/// TensorBoard without TensorFlow. Each record: uint64 length, masked CRC32C(length), Event bytes, masked CRC32C(bytes).
/// Event fields (event.proto): wall_time=1 double, step=2 int64, file_version=3 string, summary=5 Summary;
/// Summary.value=1 { tag=1 string, simple_value=2 float }. Every record is flushed so a live TensorBoard sees it.
/// </summary>
public sealed class TfEventsWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly Func<DateTimeOffset> _clock;

    public const string FilePrefix = "events.out.tfevents.";

    /// <summary>
    /// Creates <c>events.out.tfevents.{unix seconds}.{host}</c> in <paramref name="directory"/>, or, when the folder already
    /// has an event file (a resumed run), appends to it so the run keeps one history: after the last whole record, since
    /// a killed process can leave half of one.
    /// </summary>
    public TfEventsWriter(string directory, Func<DateTimeOffset>? clock = null)
    {
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        Directory.CreateDirectory(directory);
        if (Directory.EnumerateFiles(directory, FilePrefix + "*").Order(StringComparer.Ordinal).LastOrDefault() is { } existing)
        {
            FilePath = existing;
            _stream = new FileStream(existing, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            _stream.SetLength(WholeRecordsLength(_stream));
            _stream.Seek(0, SeekOrigin.End);
            return;
        }
        var now = _clock();
        FilePath = Path.Combine(directory, $"{FilePrefix}{now.ToUnixTimeSeconds()}.{Environment.MachineName}");
        _stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        WriteRecord(Event(WallTime(now), 0, e => { e.WriteTag(3, WireFormat.WireType.LengthDelimited); e.WriteString("brain.Event:2"); }));
    }

    public string FilePath { get; }

    public void AddScalar(string tag, float value, long step)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        var summaryValue = Message(v =>
        {
            v.WriteTag(1, WireFormat.WireType.LengthDelimited); v.WriteString(tag);
            v.WriteTag(2, WireFormat.WireType.Fixed32); v.WriteFloat(value);
        });
        var summary = Message(s => { s.WriteTag(1, WireFormat.WireType.LengthDelimited); s.WriteBytes(ByteString.CopyFrom(summaryValue)); });
        WriteRecord(Event(WallTime(_clock()), step, e =>
        {
            e.WriteTag(5, WireFormat.WireType.LengthDelimited); e.WriteBytes(ByteString.CopyFrom(summary));
        }));
    }

    public void Dispose() => _stream.Dispose();

    private static double WallTime(DateTimeOffset t) => t.ToUnixTimeMilliseconds() / 1000.0;

    private static byte[] Event(double wallTime, long step, Action<CodedOutputStream> body) => Message(e =>
    {
        e.WriteTag(1, WireFormat.WireType.Fixed64); e.WriteDouble(wallTime);
        if (step != 0) { e.WriteTag(2, WireFormat.WireType.Varint); e.WriteInt64(step); }
        body(e);
    });

    private static byte[] Message(Action<CodedOutputStream> body)
    {
        using var ms = new MemoryStream();
        using (var w = new CodedOutputStream(ms, leaveOpen: true)) body(w);
        return ms.ToArray();
    }

    /// <summary>Bytes from the start of <paramref name="file"/> up to the end of its last record whose checksums are right.</summary>
    internal static long WholeRecordsLength(Stream file)
    {
        long pos = 0;
        Span<byte> header = stackalloc byte[12];
        Span<byte> footer = stackalloc byte[4];
        while (file.Length - pos >= 16)
        {
            file.Position = pos;
            file.ReadExactly(header);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (Crc32C.Unmask(BinaryPrimitives.ReadUInt32LittleEndian(header[8..])) != Crc32C.Compute(header[..8])) break;
            if (length > int.MaxValue || (ulong)(file.Length - pos - 16) < length) break;
            var data = new byte[(int)length];
            file.ReadExactly(data);
            file.ReadExactly(footer);
            if (Crc32C.Unmask(BinaryPrimitives.ReadUInt32LittleEndian(footer)) != Crc32C.Compute(data)) break;
            pos += 16 + (long)length;
        }
        return pos;
    }

    private void WriteRecord(byte[] data)
    {
        // One write per record: a killed process leaves whole records (or at worst a torn last one, cut off on append).
        var record = new byte[16 + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(record, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), Crc32C.Mask(Crc32C.Compute(record.AsSpan(0, 8))));
        data.CopyTo(record.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12 + data.Length), Crc32C.Mask(Crc32C.Compute(data)));
        _stream.Write(record);
        _stream.Flush();
    }
}

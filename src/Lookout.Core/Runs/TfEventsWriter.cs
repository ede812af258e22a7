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

    /// <summary>Creates <c>events.out.tfevents.{unix seconds}.{host}</c> in <paramref name="directory"/>.</summary>
    public TfEventsWriter(string directory, Func<DateTimeOffset>? clock = null)
    {
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        Directory.CreateDirectory(directory);
        var now = _clock();
        FilePath = Path.Combine(directory, $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}");
        _stream = new FileStream(FilePath, FileMode.Create, FileAccess.Write, FileShare.Read);
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

    private void WriteRecord(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Mask(Crc32C.Compute(header[..8])));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Mask(Crc32C.Compute(data)));
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(footer);
        _stream.Flush();
    }
}

using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Lookout.Scale.Messages;

/// <summary>One image in a batch: the name it was submitted under, its content hash (the result's key), and its bytes.</summary>
public sealed record BatchItem(string Name, string Sha256, byte[] Bytes);

/// <summary>
/// A batch of images travelling through the broker. The image bytes travel inside the message, so a worker needs
/// nothing but the broker and the database: no shared file system, any host. Layout: "LKB1", a big-endian int32
/// header length, the UTF-8 JSON header (job, model, task, top-k, each item's name, hash and length), then the
/// items' bytes back to back (no base64: a JPEG costs its own size).
/// </summary>
public sealed record BatchMessage(string JobId, string ModelId, JobTask Task, int Top, IReadOnlyList<BatchItem> Items)
{
    private static readonly byte[] Magic = "LKB1"u8.ToArray();

    public long PayloadBytes => Items.Sum(i => (long)i.Bytes.Length);

    public byte[] Encode()
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(JobId, ModelId, Task.Name(), Top,
            Items.Select(i => new HeaderItem(i.Name, i.Sha256, i.Bytes.Length)).ToList()));
        var body = new byte[Magic.Length + 4 + header.Length + PayloadBytes];
        Magic.CopyTo(body, 0);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(Magic.Length), header.Length);
        header.CopyTo(body, Magic.Length + 4);
        int at = Magic.Length + 4 + header.Length;
        foreach (var item in Items) { item.Bytes.CopyTo(body, at); at += item.Bytes.Length; }
        return body;
    }

    /// <summary>Reads a message body; anything that is not a well-formed batch is an <see cref="InvalidDataException"/> (a poison message).</summary>
    public static BatchMessage Decode(ReadOnlySpan<byte> body)
    {
        if (body.Length < Magic.Length + 4 || !body[..Magic.Length].SequenceEqual(Magic))
            throw new InvalidDataException("not a Lookout batch message (bad magic)");
        int headerLength = BinaryPrimitives.ReadInt32BigEndian(body[Magic.Length..]);
        int at = Magic.Length + 4;
        if (headerLength <= 0 || headerLength > body.Length - at) throw new InvalidDataException("batch message header length out of range");
        Header header;
        try { header = JsonSerializer.Deserialize<Header>(body.Slice(at, headerLength)) ?? throw new InvalidDataException("empty batch header"); }
        catch (JsonException e) { throw new InvalidDataException($"batch header is not valid JSON: {e.Message}"); }
        at += headerLength;
        var items = new List<BatchItem>(header.Items.Count);
        foreach (var h in header.Items)
        {
            if (h.Length < 0 || h.Length > body.Length - at) throw new InvalidDataException($"item {h.Name} runs past the end of the message");
            items.Add(new BatchItem(h.Name, h.Sha256, body.Slice(at, h.Length).ToArray()));
            at += h.Length;
        }
        if (at != body.Length) throw new InvalidDataException("batch message has trailing bytes");
        JobTask task;
        try { task = JobTasks.Parse(header.Task); }
        catch (ArgumentException e) { throw new InvalidDataException(e.Message); }
        return new BatchMessage(header.Job, header.Model, task, header.Top, items);
    }

    private sealed record Header(string Job, string Model, string Task, int Top, List<HeaderItem> Items);
    private sealed record HeaderItem(string Name, string Sha256, int Length);
}

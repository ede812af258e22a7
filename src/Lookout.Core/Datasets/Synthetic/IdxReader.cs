using System.Buffers.Binary;
using System.IO.Compression;

namespace Lookout.Core.Datasets.Synthetic;

/// <summary>An IDX image file's contents: <see cref="Count"/> grey images of Rows x Cols bytes, back to back.</summary>
public sealed record IdxImages(int Count, int Rows, int Cols, byte[] Pixels)
{
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * Rows * Cols, Rows * Cols);
}

/// <summary>
/// Reads MNIST-style IDX files (plain or gzip): big-endian int32 magic (2051 images, 2049 labels), count,
/// then rows and cols for images, then raw unsigned bytes.
/// </summary>
public static class IdxReader
{
    public const int ImagesMagic = 2051;
    public const int LabelsMagic = 2049;

    public static IdxImages ReadImages(string path)
    {
        var data = ReadAll(path);
        Expect(path, data, ImagesMagic, 16);
        int count = Int(data, 4), rows = Int(data, 8), cols = Int(data, 12);
        if (count < 0 || rows <= 0 || cols <= 0) throw new InvalidDataException($"{path}: bad IDX header (count {count}, {rows}x{cols})");
        long need = 16 + (long)count * rows * cols;
        if (data.Length < need) throw new InvalidDataException($"{path}: truncated IDX file ({data.Length} bytes, header promises {need})");
        return new IdxImages(count, rows, cols, data[16..(int)need]);
    }

    public static byte[] ReadLabels(string path)
    {
        var data = ReadAll(path);
        Expect(path, data, LabelsMagic, 8);
        int count = Int(data, 4);
        if (count < 0 || data.Length < 8L + count) throw new InvalidDataException($"{path}: truncated IDX label file");
        return data[8..(8 + count)];
    }

    private static void Expect(string path, byte[] data, int magic, int headerBytes)
    {
        if (data.Length < 4) throw new InvalidDataException($"{path}: too short for an IDX file");
        int found = Int(data, 0);
        if (found != magic) throw new InvalidDataException($"{path}: IDX magic {found}, expected {magic}");
        if (data.Length < headerBytes) throw new InvalidDataException($"{path}: truncated IDX header");
    }

    private static int Int(byte[] data, int offset) => BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(offset, 4));

    private static byte[] ReadAll(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[2];
        int n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        using Stream input = n == 2 && head[0] == 0x1F && head[1] == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }
}

namespace Lookout.Core.Imaging;

/// <summary>
/// Encoded image bytes and the name errors are reported against. A file becomes its bytes before anything is
/// decoded, so a file and the same bytes uploaded go through exactly the same decoder and get the same verdict.
/// </summary>
public sealed class ImageSource
{
    private ImageSource(string name, byte[] bytes)
    {
        Name = name;
        Bytes = bytes;
    }

    /// <summary>The file path, or what the caller calls the buffer (e.g. "upload").</summary>
    public string Name { get; }
    public byte[] Bytes { get; }

    public static ImageSource FromBytes(byte[] bytes, string name = "upload") => new(name, bytes);

    /// <summary>
    /// Reads a file, refusing before reading when it is missing, empty or over <see cref="ImageLimits.MaxFileBytes"/>.
    /// I/O failures become <see cref="ImageDecodeException"/> so a batch reports them per file.
    /// </summary>
    public static ImageSource FromFile(string path, ImageLimits? limits = null)
    {
        limits ??= ImageLimits.Default;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new ImageDecodeException(path, ImageProblem.Missing, "file not found");
            // Checked before opening: a FIFO or device reports length 0 and must never be opened (open would block).
            if (info.Length == 0) throw new ImageDecodeException(path, ImageProblem.Empty, "empty file");
            if (info.Length > limits.MaxFileBytes) throw TooLarge(path, info.Length, limits);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            // The file may have changed since the check: never read more than the limit allows.
            var bytes = new byte[Math.Min(stream.Length, limits.MaxFileBytes)];
            int n = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (n == 0) throw new ImageDecodeException(path, ImageProblem.Empty, "empty file");
            return new ImageSource(path, n == bytes.Length ? bytes : bytes[..n]);
        }
        catch (UnauthorizedAccessException) { throw new ImageDecodeException(path, ImageProblem.Unreadable, "could not read the file (permission denied)"); }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new ImageDecodeException(path, ImageProblem.Unreadable, $"could not read the file ({e.Message})", e);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImageDecodeException(path, ImageProblem.Missing, "file not found", e);
        }
    }

    private static ImageDecodeException TooLarge(string name, long length, ImageLimits limits) =>
        new(name, ImageProblem.TooLarge, $"file is {length / (1024 * 1024)} MB, limit {limits.MaxFileBytes / (1024 * 1024)} MB");
}

namespace Lookout.Core.IO;

/// <summary>Writes files so readers never see a half-written one: temp file in the same folder, then rename.</summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = TempBeside(path);
        try
        {
            using (var stream = Create(temp))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Lets <paramref name="write"/> fill the temp file (no whole-file buffer needed), then renames it into place.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var temp = TempBeside(path);
        try
        {
            using (var stream = Create(temp))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>The file a temporary name made by this class stands for (other paths come back unchanged).</summary>
    public static string TargetOf(string path)
    {
        var name = Path.GetFileName(path);
        var match = System.Text.RegularExpressions.Regex.Match(name, @"^\.(?<file>.+)\.[0-9a-f]{32}\.tmp(\.[A-Za-z0-9]+)?$");
        return match.Success ? Path.Combine(Path.GetDirectoryName(path) ?? "", match.Groups["file"].Value) : path;
    }

    private static string TempBeside(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
    }

    private static FileStream Create(string temp) => new(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
}

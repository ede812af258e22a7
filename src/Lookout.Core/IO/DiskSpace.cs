namespace Lookout.Core.IO;

/// <summary>
/// Space on the disk holding a folder, and whether it is low enough to warn about before a write fails: under 1 GB
/// or under a tenth of the disk, whichever is smaller (a phone video is a few hundred MB; a small SD card is never
/// "low" just for being small).
/// </summary>
public sealed record DiskSpace(long FreeBytes, long TotalBytes)
{
    public const long LowAbsoluteBytes = 1L << 30;

    public bool Low => FreeBytes < Math.Min(LowAbsoluteBytes, TotalBytes / 10);

    /// <summary>The disk holding <paramref name="path"/> (its nearest existing folder); null if it cannot be read.</summary>
    public static DiskSpace? Of(string path)
    {
        try
        {
            var dir = Path.GetFullPath(path);
            while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent) dir = parent;
            var drive = new DriveInfo(dir);
            return new DiskSpace(drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return null; }
    }

    /// <summary>"12.3 MB", "850 KB", "4.2 GB".</summary>
    public static string Format(long bytes) => bytes switch
    {
        < 1L << 20 => FormattableString.Invariant($"{bytes / 1024.0:0} KB"),
        < 1L << 30 => FormattableString.Invariant($"{bytes / 1048576.0:0.#} MB"),
        _ => FormattableString.Invariant($"{bytes / 1073741824.0:0.#} GB"),
    };
}

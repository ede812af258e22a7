namespace Lookout.Core.IO;

/// <summary>
/// A little space kept aside in a folder (a ballast file) so that, when the disk fills up, there is still room to
/// record what happened: deleting it lets SQLite write "this job failed: the disk is full" where otherwise the job
/// would stay "running" forever with nobody told. Made again, when there is room, before the next long job.
/// </summary>
public static class DiskReserve
{
    public const string FileName = ".disk-reserve";
    public const long Size = 2L * 1024 * 1024;

    /// <summary>Creates the reserve in <paramref name="folder"/> if it is missing and the disk has room to spare.</summary>
    public static void Keep(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (File.Exists(path) && new FileInfo(path).Length == Size) return;
        if (DiskSpace.Of(folder) is not { } disk || disk.FreeBytes < 8 * Size) return; // never what pushes a disk over
        try { AtomicFile.Write(path, s => s.Write(new byte[Size])); }
        catch (IOException) { /* no reserve this time; made again before the next job */ }
    }

    /// <summary>Gives the reserved space back; true when there was some.</summary>
    public static bool Release(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }
}

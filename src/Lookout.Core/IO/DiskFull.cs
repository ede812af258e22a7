using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Lookout.Core.IO;

/// <summary>
/// A write that failed because the disk (or the user's quota) is full, told in words a user can act on: which file,
/// how much space is left on that disk, and that what was saved before is intact (every file Lookout keeps is
/// written to a temporary name and renamed, and the catalog is SQLite, so a failed write leaves the old version).
/// </summary>
public sealed class DiskFullException(string message, Exception inner) : LookoutException(message, inner)
{
    /// <summary>The file that could not be written, when known.</summary>
    public string? File { get; init; }
}

public static partial class DiskFull
{
    private const int Enospc = 28, Edquot = 122;          // errno; .NET on Unix puts it in IOException.HResult
    private const int WindowsDiskFull = unchecked((int)0x80070070), WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int SqliteFull = 13;

    /// <summary>True when <paramref name="e"/> or an exception inside it is a write refused for lack of space.</summary>
    public static bool Is(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is DiskFullException) return true;
            if (x is IOException io && io.HResult is Enospc or Edquot or WindowsDiskFull or WindowsHandleDiskFull) return true;
            if (x is SqliteException sql && sql.SqliteErrorCode == SqliteFull) return true;
        }
        return false;
    }

    /// <summary>
    /// The user-facing form of a disk-full failure (<see cref="Is"/> must hold). <paramref name="folder"/> names the
    /// disk when the exception does not (SQLite's does not): e.g. the workspace.
    /// </summary>
    public static DiskFullException Explain(Exception e, string? folder = null)
    {
        if (Unwrap(e) is { } already) return already;
        var file = FileIn(e);
        var where = file ?? folder;
        var what = file is not null ? $"could not write {file}" : e is SqliteException || e.InnerException is SqliteException
            ? $"could not update the catalog{(folder is null ? "" : $" in {folder}")}" : "could not write a file";
        var free = where is null ? "" : DiskSpace.Of(where) is { } disk ? $" ({DiskSpace.Format(disk.FreeBytes)} free on that disk)" : "";
        return new DiskFullException($"no space left on the disk: {what}{free}. Nothing saved before was changed; free some space and try again.", e)
        {
            File = file,
        };
    }

    /// <summary>What to tell the user about a failed write: <see cref="Explain"/>'s words for a full disk, else the exception's message.</summary>
    public static string MessageOf(Exception e, string? folder = null) => Is(e) ? Explain(e, folder).Message : e.Message;

    private static DiskFullException? Unwrap(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is DiskFullException d) return d;
        return null;
    }

    /// <summary>
    /// The path .NET names in the message ("No space left on device : '/path'"), with an <see cref="AtomicFile"/>
    /// temporary name turned back into the file it was for.
    /// </summary>
    internal static string? FileIn(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is IOException && QuotedPath().Match(x.Message) is { Success: true } m)
                return AtomicFile.TargetOf(m.Groups["path"].Value);
        return null;
    }

    [GeneratedRegex(@"'(?<path>[^']+)'\s*$")]
    private static partial Regex QuotedPath();
}

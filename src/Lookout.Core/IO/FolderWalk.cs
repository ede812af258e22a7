namespace Lookout.Core.IO;

/// <summary>What <see cref="FileWalker.Walk"/> lists; defaults suit a data folder.</summary>
public sealed record WalkOptions
{
    /// <summary>Walk sub-folders too (false: only the folder's own entries, as for a glob).</summary>
    public bool Recursive { get; init; } = true;

    /// <summary>Names starting with '.' (hidden files, .git, the .lookout workspace) are left out silently.</summary>
    public bool SkipHidden { get; init; } = true;

    /// <summary>
    /// Which entry names are wanted (e.g. images only); null wants every file. Files it rejects are left out silently:
    /// nobody asked for them. It is also asked about special files and broken links, so that a FIFO named
    /// <c>x.jpg</c> is reported while one named <c>notes.txt</c> in a folder of photos is not. Folders are always walked.
    /// </summary>
    public Func<string, bool>? Include { get; init; }

    /// <summary>Folders left out silently, matched by identity (e.g. the workspace when it lies inside the data folder).</summary>
    public IReadOnlyList<string> ExcludeFolders { get; init; } = [];
}

/// <summary>A regular file found by a walk: its full path (usable to open it) and its path relative to the root ('/' separators).</summary>
public sealed record WalkedFile(string FullPath, string RelativePath);

/// <summary>
/// An entry a walk did not list, with the reason. <see cref="RelativePath"/> is for display: relative to the root,
/// '/' separators, a trailing '/' for a folder, and any byte of the name that is not UTF-8 written as <c>\xHH</c>.
/// </summary>
public sealed record SkippedEntry(string RelativePath, string Reason);

/// <summary>The result of walking one folder: regular files in a stable order, and every entry skipped with why.</summary>
public sealed record FolderWalk(string Root, IReadOnlyList<WalkedFile> Files, IReadOnlyList<SkippedEntry> Skipped);

using System.Text;

namespace Lookout.Core.IO;

/// <summary>
/// Lists the files under a folder the user named, safely. The policy:
/// <list type="bullet">
/// <item>Only regular files are listed. FIFOs, sockets and devices are never opened (opening a FIFO blocks); they are reported.</item>
/// <item>A symbolic link to a regular file is followed when the file it finally resolves to lies inside the folder;
/// a link out of the folder is reported, never followed.</item>
/// <item>A symbolic link to a folder is never followed: a folder inside the root is walked anyway by its real path
/// (following the link would count its files twice or loop), and one outside is out of bounds. It is reported,
/// as a loop when it points at a folder that contains it.</item>
/// <item>Every real folder is walked once, by (device, inode), so bind-mount loops end too.</item>
/// <item>A folder that cannot be read is reported and the walk carries on; so is an entry that cannot be examined.</item>
/// <item>A name that is not valid UTF-8 is reported with its bytes escaped; .NET could not open it by name.</item>
/// </list>
/// Nothing that could have held a wanted file disappears silently, except hidden entries (names starting with '.').
/// </summary>
public static class FileWalker
{
    /// <exception cref="DirectoryNotFoundException">The root is not a folder.</exception>
    /// <exception cref="UnauthorizedAccessException">The root itself cannot be read.</exception>
    public static FolderWalk Walk(string root, WalkOptions? options = null)
    {
        options ??= new WalkOptions();
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var rootBytes = Encoding.UTF8.GetBytes(full);
        var stat = LinuxFiles.Stat(rootBytes, followLinks: true);
        if (!stat.Ok || stat.Type != EntryType.Directory) throw new DirectoryNotFoundException($"folder not found: {root}");
        var walker = new Walker(LinuxFiles.Canonical(rootBytes) ?? rootBytes, options);
        walker.Walk(rootBytes, full, stat.Identity);
        if (walker.Skipped.FirstOrDefault(s => s.RelativePath.Length == 0) is { } unreadable)
            throw new UnauthorizedAccessException($"folder {root}: {unreadable.Reason}");
        return new FolderWalk(full, walker.Files, walker.Skipped);
    }

    /// <summary>Why a file the user named cannot be read as a file (a FIFO, device, folder, dangling link...), or null when it can.</summary>
    public static string? ProblemWithFile(string path)
    {
        var stat = LinuxFiles.Stat(Encoding.UTF8.GetBytes(Path.GetFullPath(path)), followLinks: true);
        if (!stat.Ok) return Unreachable(stat.Errno);
        return stat.Type == EntryType.Regular ? null : $"{Describe(stat.Type)} is not a regular file: never opened";
    }

    private sealed record Folder(byte[] Bytes, string Path, string Rel, FileIdentity Id);

    private sealed class Walker(byte[] canonicalRoot, WalkOptions options)
    {
        public readonly List<WalkedFile> Files = [];
        public readonly List<SkippedEntry> Skipped = [];
        private readonly HashSet<FileIdentity> _visited = [];
        private readonly HashSet<FileIdentity> _ancestors = [];
        private readonly HashSet<FileIdentity> _excluded = options.ExcludeFolders
            .Select(f => LinuxFiles.Stat(Encoding.UTF8.GetBytes(Path.GetFullPath(f)), followLinks: true))
            .Where(s => s.Ok).Select(s => s.Identity).ToHashSet();

        private bool Wanted(string name) => options.Include?.Invoke(name) ?? true;

        private void Skip(string rel, string reason) => Skipped.Add(new SkippedEntry(rel, reason));

        /// <summary>Depth first with an explicit stack (a hostile tree can be thousands of folders deep); a folder's
        /// identity is an ancestor from entering it until its last sub-folder is done.</summary>
        public void Walk(byte[] rootBytes, string rootPath, FileIdentity rootId)
        {
            var work = new Stack<(Folder? Enter, FileIdentity Leave)>();
            work.Push((new Folder(rootBytes, rootPath, "", rootId), default));
            while (work.Count > 0)
            {
                var (enter, leave) = work.Pop();
                if (enter is null) { _ancestors.Remove(leave); continue; }
                _visited.Add(enter.Id);
                _ancestors.Add(enter.Id);
                var subfolders = Directory(enter.Bytes, enter.Path, enter.Rel);
                work.Push((null, enter.Id));
                for (int i = subfolders.Count - 1; i >= 0; i--) work.Push((subfolders[i], default));
            }
        }

        /// <summary>Lists one folder's files and skips; returns its sub-folders to walk, in order.</summary>
        private List<Folder> Directory(byte[] dir, string dirPath, string rel)
        {
            var (names, errno) = LinuxFiles.ReadNames(dir);
            if (errno != 0) Skip(rel, $"folder could not be read ({LinuxFiles.Describe(errno)}): its files were not scanned");
            var entries = names.Select(n => (n.Name, n.Type, Text: FileNames.TryDecode(n.Name)))
                .Select(e => (e.Name, e.Type, e.Text, Shown: e.Text ?? FileNames.Escape(e.Name)))
                .Where(e => !(options.SkipHidden && e.Shown.StartsWith('.')))
                .OrderBy(e => e.Shown, StringComparer.Ordinal).ToList();
            var folders = new List<Folder>();
            foreach (var (bytes, type, name, shown) in entries)
            {
                var childBytes = Join(dir, bytes);
                var childRel = rel + shown;
                // readdir's type saves a stat for the common case, a regular file; folders need stat for their identity.
                var entry = type == EntryType.Regular && name is not null ? new EntryStat(EntryType.Regular, default, 0)
                    : LinuxFiles.Stat(childBytes, followLinks: false);
                if (!entry.Ok) { if (Wanted(shown)) Skip(childRel, Unreachable(entry.Errno)); continue; }
                if (name is null)
                {
                    if (entry.Type == EntryType.Directory) { if (options.Recursive) Skip(childRel + "/", "the folder name is not valid UTF-8: its files were not scanned (rename the folder)"); }
                    else if (Wanted(shown)) Skip(childRel, "the file name is not valid UTF-8 (rename the file)");
                    continue;
                }
                var childPath = Path.Join(dirPath, name);
                switch (entry.Type)
                {
                    case EntryType.Regular:
                        if (Wanted(name)) Files.Add(new WalkedFile(childPath, childRel));
                        break;
                    case EntryType.Directory:
                        if (!options.Recursive || _excluded.Contains(entry.Identity)) break;
                        if (_visited.Contains(entry.Identity)) Skip(childRel + "/", "this folder was already scanned under another path (a bind mount): not scanned again");
                        else folders.Add(new Folder(childBytes, childPath, childRel + "/", entry.Identity));
                        break;
                    case EntryType.SymbolicLink:
                        Link(childBytes, childPath, childRel, name);
                        break;
                    default:
                        if (Wanted(name)) Skip(childRel, $"{Describe(entry.Type)} is not a regular file: never opened");
                        break;
                }
            }
            return folders;
        }

        private void Link(byte[] link, string linkPath, string rel, string name)
        {
            var target = LinuxFiles.Stat(link, followLinks: true);
            if (!target.Ok)
            {
                if (Wanted(name))
                    Skip(rel, target.Errno switch
                    {
                        LinuxFiles.ELOOP => "symbolic link loop: not followed",
                        LinuxFiles.ENOENT => "broken symbolic link (its target does not exist)",
                        _ => $"symbolic link could not be followed ({LinuxFiles.Describe(target.Errno)})",
                    });
                return;
            }
            bool inside = LinuxFiles.Canonical(link) is { } resolved && IsInside(resolved);
            if (target.Type == EntryType.Directory)
            {
                if (!options.Recursive) return;
                Skip(rel + "/", _ancestors.Contains(target.Identity) ? "symbolic link loop (it points to a folder that contains it): not followed"
                    : inside ? "symbolic link to a folder inside the scanned folder: not followed (its files are scanned where they really are)"
                    : "symbolic link to a folder outside the scanned folder: not followed");
                return;
            }
            if (!Wanted(name)) return;
            if (target.Type != EntryType.Regular) Skip(rel, $"symbolic link to {Describe(target.Type)}, not a regular file: never opened");
            else if (!inside) Skip(rel, "symbolic link to a file outside the scanned folder: not followed");
            else Files.Add(new WalkedFile(linkPath, rel));
        }

        private bool IsInside(byte[] path) =>
            canonicalRoot is [(byte)'/'] || path.AsSpan().SequenceEqual(canonicalRoot)
            || (path.Length > canonicalRoot.Length && path.AsSpan().StartsWith(canonicalRoot) && path[canonicalRoot.Length] == (byte)'/');
    }

    private static byte[] Join(byte[] dir, byte[] name)
    {
        int sep = dir is [.., (byte)'/'] ? 0 : 1;
        var path = new byte[dir.Length + sep + name.Length];
        dir.CopyTo(path, 0);
        if (sep == 1) path[dir.Length] = (byte)'/';
        name.CopyTo(path, dir.Length + sep);
        return path;
    }

    private static string Unreachable(int errno) => errno switch
    {
        LinuxFiles.ENOENT => "not found (deleted, or a broken symbolic link)",
        LinuxFiles.ELOOP => "symbolic link loop: not followed",
        _ => $"could not be read ({LinuxFiles.Describe(errno)})",
    };

    private static string Describe(EntryType type) => type switch
    {
        EntryType.Fifo => "a FIFO (named pipe)",
        EntryType.Socket => "a socket",
        EntryType.CharacterDevice => "a character device",
        EntryType.BlockDevice => "a block device",
        EntryType.Directory => "a folder",
        EntryType.SymbolicLink => "a symbolic link",
        _ => "a special file",
    };
}

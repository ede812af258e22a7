using System.Runtime.InteropServices;

namespace Lookout.Core.IO;

/// <summary>What a directory entry is, from its mode bits (never from opening it).</summary>
public enum EntryType { Regular, Directory, SymbolicLink, Fifo, Socket, CharacterDevice, BlockDevice, Other }

/// <summary>A file's identity: the same (device, inode) is the same file or folder, whatever path reached it.</summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode);

/// <summary>The facts <see cref="LinuxFiles.Stat"/> reads, or the errno that stopped it.</summary>
internal readonly record struct EntryStat(EntryType Type, FileIdentity Identity, int Errno)
{
    public bool Ok => Errno == 0;
}

/// <summary>
/// The few libc calls .NET does not expose: directory entries as raw bytes (a name need not be valid UTF-8),
/// the file type (a FIFO or device must be recognised without opening it, as opening a FIFO blocks) and the
/// (device, inode) identity that detects loops. Paths are passed as bytes so undecodable names stay reachable.
/// statx is used because its struct has one layout on every Linux architecture (struct stat does not).
/// </summary>
internal static partial class LinuxFiles
{
    private const string Libc = "libc";
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1, StatxIno = 0x100;
    private const int StatxSize = 256, ModeOffset = 28, InoOffset = 32, DevMajorOffset = 136, DevMinorOffset = 140;
    // struct dirent on 64-bit Linux (glibc and musl): d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name[].
    private const int DirentTypeOffset = 18, DirentNameOffset = 19;

    public const int ENOENT = 2, EACCES = 13, ELOOP = 40;

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true)]
    private static partial int StatX(int dirFd, byte[] path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport(Libc, EntryPoint = "opendir", SetLastError = true)]
    private static partial IntPtr OpenDir(byte[] path);

    [LibraryImport(Libc, EntryPoint = "readdir", SetLastError = true)]
    private static partial IntPtr ReadDir(IntPtr dir);

    [LibraryImport(Libc, EntryPoint = "closedir")]
    private static partial int CloseDir(IntPtr dir);

    [LibraryImport(Libc, EntryPoint = "link", SetLastError = true)]
    private static partial int Link(byte[] existing, byte[] created);

    [LibraryImport(Libc, EntryPoint = "realpath", SetLastError = true)]
    private static partial IntPtr RealPath(byte[] path, Span<byte> resolved);

    /// <summary>PATH_MAX: realpath writes into a caller buffer of this size. (Letting it malloc would need the matching
    /// free, which is not libc's own when an allocator such as tcmalloc is preloaded.)</summary>
    private const int PathMax = 4096;

    /// <summary>
    /// A second name for an existing file (a hard link: no bytes copied, and either name outlives the other). False
    /// where that cannot be (not Linux, another file system, a file system without links, the name taken).
    /// </summary>
    public static bool TryHardLink(string existing, string created) =>
        OperatingSystem.IsLinux() && Link(Terminated(System.Text.Encoding.UTF8.GetBytes(existing)), Terminated(System.Text.Encoding.UTF8.GetBytes(created))) == 0;

    /// <summary>lstat-like (<paramref name="followLinks"/> false) or stat-like facts about a path.</summary>
    public static EntryStat Stat(byte[] path, bool followLinks)
    {
        Span<byte> buffer = stackalloc byte[StatxSize];
        if (StatX(AtFdCwd, Terminated(path), followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxIno, buffer) != 0)
            return new EntryStat(EntryType.Other, default, Marshal.GetLastPInvokeError());
        uint mode = BitConverter.ToUInt16(buffer[ModeOffset..]);
        ulong ino = BitConverter.ToUInt64(buffer[InoOffset..]);
        ulong dev = ((ulong)BitConverter.ToUInt32(buffer[DevMajorOffset..]) << 32) | BitConverter.ToUInt32(buffer[DevMinorOffset..]);
        return new EntryStat(TypeOf(mode), new FileIdentity(dev, ino), 0);
    }

    /// <summary>
    /// The entries of a folder (without . and ..): raw name bytes and the type readdir reports, or null when the
    /// filesystem does not say (then <see cref="Stat"/> must); or the errno when the folder cannot be read.
    /// </summary>
    public static (List<(byte[] Name, EntryType? Type)> Entries, int Errno) ReadNames(byte[] dirPath)
    {
        var names = new List<(byte[], EntryType?)>();
        var dir = OpenDir(Terminated(dirPath));
        if (dir == IntPtr.Zero) return (names, Marshal.GetLastPInvokeError());
        try
        {
            while (true)
            {
                var entry = ReadDir(dir);
                if (entry == IntPtr.Zero)
                {
                    int errno = Marshal.GetLastPInvokeError();     // 0 at the end of the folder
                    return (names, errno);
                }
                var name = NameAt(entry + DirentNameOffset);
                if (name is [(byte)'.'] or [(byte)'.', (byte)'.']) continue;
                names.Add((name, DirentType(Marshal.ReadByte(entry, DirentTypeOffset))));
            }
        }
        finally { CloseDir(dir); }
    }

    /// <summary>The canonical path (every link and . / .. resolved), or null when it cannot be resolved.</summary>
    public static byte[]? Canonical(byte[] path)
    {
        Span<byte> resolved = stackalloc byte[PathMax];
        if (RealPath(Terminated(path), resolved) == IntPtr.Zero) return null;
        int n = resolved.IndexOf((byte)0);
        return resolved[..(n < 0 ? PathMax : n)].ToArray();
    }

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    private static unsafe byte[] NameAt(IntPtr p) => MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)p).ToArray();

    private static byte[] Terminated(byte[] path)
    {
        var z = new byte[path.Length + 1];
        path.CopyTo(z, 0);
        return z;
    }

    /// <summary>DT_* values are the S_IF* type bits shifted right by 12; DT_UNKNOWN (0) means "ask stat".</summary>
    private static EntryType? DirentType(byte dType) => dType == 0 ? null : TypeOf((uint)dType << 12);

    private static EntryType TypeOf(uint mode) => (mode & 0xF000) switch
    {
        0x8000 => EntryType.Regular,
        0x4000 => EntryType.Directory,
        0xA000 => EntryType.SymbolicLink,
        0x1000 => EntryType.Fifo,
        0xC000 => EntryType.Socket,
        0x2000 => EntryType.CharacterDevice,
        0x6000 => EntryType.BlockDevice,
        _ => EntryType.Other,
    };
}

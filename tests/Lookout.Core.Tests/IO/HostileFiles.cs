using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Lookout.Tests.Support;

/// <summary>
/// Makes the filesystem oddities a hostile-but-fair tester would put in a data folder: FIFOs, sockets, names that are
/// not UTF-8, unreadable folders. Shared (linked) by the Core and CLI tests.
/// </summary>
public static class HostileFiles
{
    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(byte[] path, uint mode);

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(byte[] from, byte[] to);

    [DllImport("libc", EntryPoint = "mkdir", SetLastError = true)]
    private static extern int MkDir(byte[] path, uint mode);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();

    [DllImport("libc", EntryPoint = "capget", SetLastError = true)]
    private static extern int CapGet(int[] header, uint[] data);

    [DllImport("libc", EntryPoint = "capset", SetLastError = true)]
    private static extern int CapSet(int[] header, uint[] data);

    public static bool IsRoot => GetEuid() == 0;

    public static void Fifo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (MkFifo(Z(path), Convert.ToUInt32("644", 8)) != 0) throw new IOException($"mkfifo {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>A listening Unix-domain socket file; .NET deletes the file when the returned socket is disposed.</summary>
    public static IDisposable Socket(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        s.Listen();
        return s;
    }

    /// <summary>
    /// Deletes a test folder, including names .NET cannot address (not UTF-8) and folders chmod 000, which
    /// Directory.Delete cannot remove; rm neither follows links nor cares about name encodings.
    /// </summary>
    public static void DeleteTree(string path)
    {
        if (!Directory.Exists(path)) return;
        using (var chmod = System.Diagnostics.Process.Start("chmod", ["-R", "u+rwx", path])) chmod.WaitForExit();
        using var rm = System.Diagnostics.Process.Start("rm", ["-rf", path]);
        rm.WaitForExit();
        if (Directory.Exists(path)) throw new IOException($"could not delete {path}");
    }

    /// <summary>Writes <paramref name="content"/> to <c>dir/name</c> where name is raw bytes (e.g. not valid UTF-8).</summary>
    public static void RawNamedFile(string dir, byte[] name, byte[] content)
    {
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $"tmp-{Guid.NewGuid():N}");
        File.WriteAllBytes(temp, content);
        if (Rename(Z(temp), Z(Encoding.UTF8.GetBytes(dir + "/").Concat(name).ToArray())) != 0)
            throw new IOException($"rename: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Makes <c>dir/name</c> (raw bytes) a folder; returns its path as bytes for further raw creation.</summary>
    public static byte[] RawNamedFolder(string dir, byte[] name)
    {
        Directory.CreateDirectory(dir);
        var path = Encoding.UTF8.GetBytes(dir + "/").Concat(name).ToArray();
        if (MkDir(Z(path), Convert.ToUInt32("755", 8)) != 0) throw new IOException($"mkdir: errno {Marshal.GetLastPInvokeError()}");
        return path;
    }

    /// <summary>
    /// Runs <paramref name="work"/> where permission bits are enforced. As root (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
    /// ignore chmod 000) it runs on a fresh thread whose effective set drops those two capabilities: Linux capabilities
    /// are per thread, so the rest of the test process keeps them. Returns false when that is impossible here.
    /// </summary>
    public static bool TryRunUnprivileged(Action work)
    {
        if (!IsRoot) { work(); return true; }
        bool dropped = false;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            var header = new[] { 0x20080522, 0 };     // _LINUX_CAPABILITY_VERSION_3, this thread
            var data = new uint[6];                   // {effective, permitted, inheritable} x 2
            if (CapGet(header, data) != 0) return;
            data[0] &= ~((1u << 1) | (1u << 2));      // CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if (CapSet(header, data) != 0) return;
            dropped = true;
            try { work(); } catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new AggregateException(failure);
        return dropped;
    }

    /// <summary>
    /// The command prefix that runs a child process where permission bits are enforced: empty when not root; as root,
    /// setpriv (util-linux) dropping those capabilities from the bounding set; null when root and setpriv is missing.
    /// </summary>
    public static string[]? UnprivilegedPrefix()
    {
        if (!IsRoot) return [];
        var setpriv = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);
        return setpriv is null ? null : [setpriv, "--bounding-set", "-dac_override,-dac_read_search"];
    }

    private static byte[] Z(string path) => Z(Encoding.UTF8.GetBytes(path));
    private static byte[] Z(byte[] path) => [.. path, 0];
}

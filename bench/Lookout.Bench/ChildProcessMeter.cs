using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Lookout.Bench;

/// <summary>What one child process cost: wall time, CPU time (user + system, its own threads) and peak resident memory.</summary>
public sealed record ChildRun(string Name, int ExitCode, double WallSeconds, double CpuSeconds, double PeakRssMb, string StdOut, string StdErr)
{
    public double CpuPerWall => CpuSeconds / Math.Max(WallSeconds, 1e-9);
}

/// <summary>
/// Runs a command as a child process and measures it from outside, the way a user experiences it (process start
/// included): CPU from <c>getrusage(RUSAGE_CHILDREN)</c> around the wait (exact, after the child is reaped), peak RSS
/// by polling <c>/proc/&lt;pid&gt;/status</c> VmHWM (the kernel's high-water mark) until it exits.
/// One child at a time: the CPU counter covers every reaped child.
/// </summary>
public static class ChildProcessMeter
{
    private static readonly Lock Gate = new();

    public static ChildRun Run(string name, string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        lock (Gate)
        {
            var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
            double cpu0 = ChildrenCpuSeconds();
            var clock = Stopwatch.StartNew();
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            double peakKb = 0;
            var limit = timeout ?? TimeSpan.FromMinutes(30);
            while (!p.WaitForExit(20))
            {
                peakKb = Math.Max(peakKb, VmHwmKb(p.Id));
                if (clock.Elapsed > limit) { p.Kill(entireProcessTree: true); break; }
            }
            p.WaitForExit();
            var wall = clock.Elapsed.TotalSeconds;
            return new ChildRun(name, p.ExitCode, wall, ChildrenCpuSeconds() - cpu0, peakKb / 1024, stdout.Result, stderr.Result);
        }
    }

    /// <summary>VmHWM of a live process in kB, 0 once it is gone.</summary>
    public static double VmHwmKb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return double.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    private static double ChildrenCpuSeconds()
    {
        if (getrusage(RusageChildren, out var u) != 0) throw new InvalidOperationException("getrusage failed");
        return u.UserSec + u.UserUsec / 1e6 + u.SysSec + u.SysUsec / 1e6;
    }

    private const int RusageChildren = -1;

    [StructLayout(LayoutKind.Sequential)]
    private struct Rusage
    {
        public long UserSec, UserUsec, SysSec, SysUsec;
        public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NvCsw, NivCsw;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out Rusage usage);
}

using System.Diagnostics;

namespace Lookout.Cli.Tests.Arm64;

/// <summary>
/// Runs the linux-arm64 bundle on this x86-64 machine under QEMU user-mode emulation (Debian's qemu-user-static, with
/// libc6, libstdc++6, libgcc-s1 and libssl3 for arm64 through multiarch, which scripts/setup.sh --arm64 installs: what a
/// Raspberry Pi OS has by default; without libssl .NET aborts at its first hash). qemu is called
/// explicitly rather than through binfmt_misc, which a container often cannot register. .NET 10 needs no settings under
/// qemu 7.2 (W^X, tiered compilation and the GC run with their defaults); a child process it starts (ffmpeg) is an
/// x86-64 program, which qemu-user hands to the kernel to run natively. The program runs through
/// scripts/run-arm64-emulated.sh, which shows it a Raspberry Pi 4's CPU (Cortex-A72 and an arm64 /proc/cpuinfo): qemu-user
/// passes the host's x86 /proc/cpuinfo through, and ONNX Runtime's CPU detection crashed on it on an AMD Zen 4 host.
/// </summary>
public static class Arm64Emulator
{
    public const string Qemu = "/usr/bin/qemu-aarch64-static";
    /// <summary>Where multiarch puts the arm64 libraries (the arm64 loader searches it; qemu needs no QEMU_LD_PREFIX).</summary>
    public const string Libraries = "/usr/lib/aarch64-linux-gnu";

    public static bool Installed => File.Exists(Qemu) && File.Exists("/lib/ld-linux-aarch64.so.1")
        && File.Exists(Path.Combine(Libraries, "libstdc++.so.6")) && File.Exists(Path.Combine(Libraries, "libssl.so.3"));

    /// <summary><c>scripts/run-arm64-emulated.sh BUNDLE/app/lookout args</c>, as the bundle's launcher would run it on a board.</summary>
    public static ProcessStartInfo StartInfo(string bundleDir, string workingDir, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(Arm64BundleFixture.RepoRoot(), "scripts", "run-arm64-emulated.sh"));
        psi.ArgumentList.Add(Path.Combine(bundleDir, "app", "lookout"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LOOKOUT_CACHE"] = Path.Combine(bundleDir, "cache");
        // The tests' x86-64 tcmalloc preload means nothing to the arm64 loader (it would only print a warning).
        psi.Environment.Remove("LD_PRELOAD");
        return psi;
    }

    public static async Task<CliResult> RunAsync(string bundleDir, string workingDir, string[] args, TimeSpan? timeout = null)
    {
        using var p = Process.Start(StartInfo(bundleDir, workingDir, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new TimeoutException($"emulated lookout {string.Join(' ', args)} timed out"); }
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }
}

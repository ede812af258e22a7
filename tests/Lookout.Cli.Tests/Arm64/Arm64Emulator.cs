using System.Diagnostics;

namespace Lookout.Cli.Tests.Arm64;

/// <summary>
/// Runs the linux-arm64 bundle on this x86-64 machine under QEMU user-mode emulation (Debian's qemu-user-static with
/// the arm64 C/C++ runtime from the *-arm64-cross packages, which scripts/setup.sh --arm64 installs). qemu is called
/// explicitly rather than through binfmt_misc, which a container often cannot register. .NET 10 needs no settings under
/// qemu 7.2 (W^X, tiered compilation and the GC run with their defaults); a child process it starts (ffmpeg) is an
/// x86-64 program, which qemu-user hands to the kernel to run natively.
/// </summary>
public static class Arm64Emulator
{
    public const string Qemu = "/usr/bin/qemu-aarch64-static";
    /// <summary>The arm64 sysroot of Debian's libc6-arm64-cross/libstdc++6-arm64-cross (ld-linux-aarch64.so.1 and friends).</summary>
    public const string Sysroot = "/usr/aarch64-linux-gnu";

    public static bool Installed => File.Exists(Qemu) && File.Exists(Path.Combine(Sysroot, "lib", "ld-linux-aarch64.so.1"));

    /// <summary><c>qemu-aarch64-static BUNDLE/app/lookout args</c>, as the bundle's launcher would run it on a board.</summary>
    public static ProcessStartInfo StartInfo(string bundleDir, string workingDir, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Qemu) { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(bundleDir, "app", "lookout"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["QEMU_LD_PREFIX"] = Sysroot;
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

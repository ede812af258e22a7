using System.Diagnostics;

namespace Lookout.Cli.Tests.Arm64;

/// <summary>
/// Opt-in (LOOKOUT_ARM64_TESTS=1, set by test.sh when scripts/setup.sh --arm64 could install the emulator): the emulated
/// tests publish the bundle (minutes) and run .NET under qemu (seconds per start), which a quick suite cannot afford
/// everywhere. With the variable set and the emulator missing, the tests fail rather than skip.
/// </summary>
public sealed class EmulatedFactAttribute : FactAttribute
{
    public const string EnvironmentVariable = "LOOKOUT_ARM64_TESTS";

    public EmulatedFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) != "1")
            Skip = $"linux-arm64 emulation tests are opt-in: {EnvironmentVariable}=1 (scripts/setup.sh --arm64 installs qemu)";
    }
}

/// <summary>One linux-arm64 bundle made by scripts/bundle-arm64.sh for every emulated test (publishing takes minutes).</summary>
public sealed class Arm64BundleFixture : IDisposable
{
    private readonly Lazy<string> _dir;
    private readonly string _root = Directory.CreateTempSubdirectory("lookout-arm64-").FullName;

    public Arm64BundleFixture() => _dir = new Lazy<string>(Build);

    public string Dir => _dir.Value;

    private string Build()
    {
        if (!Arm64Emulator.Installed)
            throw new InvalidOperationException($"{Arm64Emulator.Qemu} or the arm64 libraries in {Arm64Emulator.Libraries} are missing: run scripts/setup.sh --arm64");
        var repo = RepoRoot();
        var outDir = Path.Combine(_root, "bundle");
        var psi = new ProcessStartInfo("bash", [Path.Combine(repo, "scripts", "bundle-arm64.sh"), "--out", outDir])
            { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repo };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(15))) { p.Kill(entireProcessTree: true); throw new TimeoutException("bundle-arm64.sh timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"bundle-arm64.sh failed ({p.ExitCode}): {stderr.Result}");
        Assert.Equal(outDir, stdout.Result.Trim());
        return outDir;
    }

    /// <summary>The repository the tests were built from (the bundle is published from its sources).</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lookout.slnx"))) return dir.FullName;
        throw new InvalidOperationException("not inside a Lookout checkout");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}

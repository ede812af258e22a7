using System.Diagnostics;

namespace Lookout.Cli.Tests;

public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>The largest resident set seen while the process ran (sampled every 50 ms).</summary>
    public long PeakRssBytes { get; init; }
}

/// <summary>Runs the real CLI (lookout.dll next to the tests) as a child process, as a user would.</summary>
public static class CliRunner
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "lookout.dll");

    public static CliResult Run(string workingDir, params string[] args) => RunAsync(workingDir, args).GetAwaiter().GetResult();

    /// <param name="wrapper">A command the CLI runs under (e.g. setpriv with its options), or null.</param>
    public static async Task<CliResult> RunAsync(string workingDir, string[] args, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? wrapper = null)
    {
        var psi = StartInfo(workingDir, args, environment, wrapper);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        long peak = 0;
        var sampler = Task.Run(async () =>
        {
            while (!p.HasExited)
            {
                try { p.Refresh(); peak = Math.Max(peak, p.WorkingSet64); } catch (InvalidOperationException) { }
                await Task.Delay(50);
            }
        });
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new TimeoutException($"lookout {string.Join(' ', args)} timed out"); }
        await sampler;
        return new CliResult(p.ExitCode, await stdout, await stderr) { PeakRssBytes = peak };
    }

    /// <summary><c>dotnet lookout.dll args</c> in <paramref name="workingDir"/>, output redirected, with extra environment variables.</summary>
    public static ProcessStartInfo StartInfo(string workingDir, string[] args, IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyList<string>? wrapper = null)
    {
        var psi = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : "dotnet") { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        if (wrapper is { Count: > 0 }) { foreach (var w in wrapper.Skip(1)) psi.ArgumentList.Add(w); psi.ArgumentList.Add("dotnet"); }
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }
}

using System.Diagnostics;

namespace Lookout.Cli.Tests;

/// <summary>
/// The real CLI running in the background, so a test can wait for a point in its work (a file appearing, a log line)
/// and kill it there with SIGKILL, as a power cut or an OOM killer would.
/// </summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _p;
    private readonly Task<string> _stdout, _stderr;

    public CliProcess(string workingDir, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        _p = Process.Start(CliRunner.StartInfo(workingDir, args, environment))!;
        _stdout = _p.StandardOutput.ReadToEndAsync();
        _stderr = _p.StandardError.ReadToEndAsync();
    }

    /// <summary>Polls <paramref name="reached"/> until it holds, then kills the process at once; fails if the process ended first.</summary>
    public async Task KillWhenAsync(Func<bool> reached, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(5));
        while (!reached())
        {
            if (_p.HasExited)
                throw new InvalidOperationException($"lookout ended (exit {_p.ExitCode}) before {what}: {await _stderr}");
            if (DateTime.UtcNow > deadline) { Kill(); throw new TimeoutException($"lookout never reached {what}"); }
            await Task.Delay(5);
        }
        Kill();
        await _p.WaitForExitAsync();
    }

    private void Kill()
    {
        try { _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } // SIGKILL on Linux
    }

    public void Dispose()
    {
        Kill();
        _p.Dispose();
    }
}

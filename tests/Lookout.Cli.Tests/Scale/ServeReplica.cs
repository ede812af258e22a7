using System.Collections.Concurrent;
using System.Diagnostics;

namespace Lookout.Cli.Tests.Scale;

/// <summary>A real <c>lookout serve</c> process on a loopback port: SIGKILL it (a crash) or SIGTERM it (a rolling restart).</summary>
public sealed class ServeReplica : IDisposable
{
    private readonly Process _p;
    private readonly ConcurrentQueue<string> _lines = new();

    public ServeReplica(string workingDir, string models, int port, string drain)
    {
        Port = port;
        _p = Process.Start(CliRunner.StartInfo(workingDir, ["--workspace", Path.Combine(workingDir, "ws"), "serve", "--models", models,
            "--urls", $"http://127.0.0.1:{port}", "--drain", drain]))!;
        _p.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _p.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _p.BeginErrorReadLine();
        _p.BeginOutputReadLine();
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public bool HasExited => _p.HasExited;
    public int ExitCode => _p.ExitCode;
    public string Log => string.Join('\n', _lines);

    public void Kill()
    {
        try { _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _p.WaitForExit(10_000);
    }

    /// <summary>What systemd, Kubernetes or <c>docker stop</c> send first.</summary>
    public void Terminate() => LoopbackServers.Run("bash", ["-c", $"kill -TERM {_p.Id}"]);

    public Task<bool> WaitForExitAsync(TimeSpan timeout) =>
        _p.WaitForExitAsync(new CancellationTokenSource(timeout).Token).ContinueWith(t => t.IsCompletedSuccessfully);

    public void Dispose()
    {
        Kill();
        _p.Dispose();
    }
}

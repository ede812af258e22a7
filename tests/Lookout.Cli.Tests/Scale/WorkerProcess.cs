using System.Collections.Concurrent;
using System.Diagnostics;

namespace Lookout.Cli.Tests.Scale;

/// <summary>A real <c>lookout worker</c> process whose log lines the test can read while it runs, and kill with SIGKILL.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _p;
    private readonly ConcurrentQueue<string> _lines = new();

    public WorkerProcess(string workingDir, string name, string broker, string db, params string[] extra)
    {
        var psi = CliRunner.StartInfo(workingDir, ["worker", "--broker", broker, "--db", db, "--name", name,
            "--model-cache", Path.Combine(workingDir, "models-" + name), "--threads", "1", .. extra]);
        Name = name;
        _p = Process.Start(psi)!;
        _p.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _p.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _p.BeginErrorReadLine();
        _p.BeginOutputReadLine();
    }

    public string Name { get; }
    public IReadOnlyCollection<string> Lines => _lines;
    public bool HasExited => _p.HasExited;
    public string Log => string.Join('\n', _lines);

    /// <summary>SIGKILL, as a power cut or the OOM killer would: no cleanup, unacked batches stay with the broker.</summary>
    public void Kill()
    {
        try { _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _p.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _p.Dispose();
    }
}
